/** The Generate screen's queue: running, waiting and ended jobs. */
import { ArrowUpIcon, CloseIcon } from '../../components/icons.js';
import { cancelJob, moveJob, setQueuePaused } from '../../commands/generate.js';
import { useStudio } from '../../host/studio.js';
import { formatDuration, framesDone, selectActiveJobs, selectEndedJobs } from '../../state/jobs/selectors.js';
import type { JobView } from '../../state/jobs/slice.js';
import { useStudioStore } from '../../state/store.js';
import { useShallow } from 'zustand/react/shallow';

/** The running job with its progress, the jobs waiting (reorder, cancel), and what ended lately. */
export function QueuePanel() {
  const studio = useStudio();
  const active = useStudioStore(useShallow(selectActiveJobs));
  const ended = useStudioStore(useShallow(selectEndedJobs));
  const paused = useStudioStore((state) => state.queueStatus?.paused ?? false);
  const clearEnded = useStudioStore((state) => state.clearEndedJobs);
  const queued = active.filter((job) => job.status === 'queued');

  return (
    <section className="queue" aria-labelledby="queue-heading">
      <div className="panel-header">
        <h2 id="queue-heading">Queue</h2>
        <button
          type="button"
          className="button button--small"
          aria-pressed={paused}
          onClick={() => setQueuePaused(studio, !paused)}
        >
          {paused ? 'Resume queue' : 'Pause queue'}
        </button>
      </div>
      {paused && <p className="queue__note">Paused: the running job finishes, nothing new starts.</p>}
      {active.length === 0 ? (
        <p className="muted queue__empty">Nothing queued. Press Generate or Ctrl+Enter.</p>
      ) : (
        <ol className="queue__list" aria-label="Active jobs">
          {active.map((job) => (
            <li key={job.jobId} className="job" data-status={job.status}>
              <JobRow job={job} />
              <div className="job__actions">
                {job.status === 'queued' && queued.indexOf(job) > 0 && (
                  <button
                    type="button"
                    className="button button--icon button--small"
                    aria-label={`Run “${job.prompt}” next`}
                    title="Run next"
                    onClick={() => moveJob(studio, job.jobId, 0)}
                  >
                    <ArrowUpIcon />
                  </button>
                )}
                <button
                  type="button"
                  className="button button--icon button--small"
                  aria-label={`Cancel “${job.prompt}”`}
                  title={job.status === 'running' ? 'Cancel (Esc)' : 'Cancel'}
                  onClick={() => cancelJob(studio, job.jobId)}
                >
                  <CloseIcon />
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      {ended.length > 0 && (
        <>
          <div className="panel-header panel-header--sub">
            <h3>Recent</h3>
            <button type="button" className="button button--small button--quiet" onClick={clearEnded}>
              Clear
            </button>
          </div>
          <ol className="queue__list" aria-label="Recent jobs">
            {ended.map((job) => (
              <li key={job.jobId} className="job" data-status={job.status}>
                {job.result && <img className="job__thumb" src={job.result.image} alt="" />}
                <JobRow job={job} />
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function JobRow({ job }: { job: JobView }) {
  const title = job.kind === 'replay' ? `Replay of item #${job.itemId}` : job.prompt;
  const progress = job.progress;
  const fraction = progress && progress.total > 0 ? progress.done / progress.total : 0;
  const frames = framesDone(job);
  return (
    <div className="job__body">
      <div className="job__title" title={title}>
        {title}
      </div>
      {job.status === 'running' ? (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label={`Progress of “${title}”`}
            aria-valuemin={0}
            aria-valuemax={progress?.total ?? 100}
            aria-valuenow={progress?.done ?? 0}
          >
            <div className="progress__bar" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
          </div>
          <div className="job__meta">
            {progress ? (
              <>
                {frames && (
                  <span className="job__frames">
                    {frames.done} of {frames.total} frames done ·{' '}
                  </span>
                )}
                {progress.done} / {progress.total} tokens · {progress.tokensPerSecond.toFixed(1)} tokens/s
                {progress.secondsLeft !== null && ` · ${formatDuration(progress.secondsLeft)} left`}
              </>
            ) : (
              'Starting…'
            )}
          </div>
        </>
      ) : (
        <div className="job__meta">{describeStatus(job)}</div>
      )}
    </div>
  );
}

function describeStatus(job: JobView): string {
  switch (job.status) {
    case 'queued':
      return 'Queued';
    case 'running':
      return 'Running';
    case 'finished':
      if (job.replay)
        return job.replay.verdict === 'identical'
          ? 'Identical: every token matches'
          : `Different at token ${job.replay.firstDifference}`;
      return job.result
        ? `Finished in ${formatDuration(job.result.seconds)} · seed ${job.result.seed}`
        : 'Finished';
    case 'failed':
      return `Failed: ${job.error?.message ?? 'unknown error'}`;
    case 'cancelled':
      return 'Cancelled';
  }
}
