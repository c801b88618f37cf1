/** The Generate preview of a video job, frame by frame. */
import { VideoPlayer } from '../../components/VideoPlayer/VideoPlayer.js';
import { openExtendForItem } from '../../commands/video.js';
import { useStudio } from '../../host/studio.js';
import { formatDuration } from '../../state/jobs/selectors.js';
import type { JobView } from '../../state/jobs/slice.js';
import { useStudioStore } from '../../state/store.js';
import { OpenInGalleryButton, PreviewFrame, PreviewSection } from './PreviewFrame.js';

/**
 * A video job filling in: the latent frame being written, row by row (each `job.preview` of a video names
 * its frame), over a strip with one cell per latent frame that fills as frames complete; then the finished
 * video playing, with a way on to the gallery and to extending it again.
 */
export function VideoPreview({ job }: { job: JobView }) {
  const studio = useStudio();
  const grid = job.grid;
  const frames = grid?.frames ?? 1;
  const totalRows = grid?.height ?? 0;
  const current = job.preview?.frame ?? 0;
  const rows = job.result ? totalRows : (job.preview?.rows ?? 0);
  const aspect = grid ? grid.width / grid.height : 1;
  const finished = job.status === 'finished' && job.result?.media;
  const fps = grid?.fps ?? 8;
  const label = job.kind === 'extend' ? 'extension' : 'video';
  const temporalFactor = useStudioStore(
    (state) => state.models?.find((model) => model.id === job.modelId)?.temporalFactor,
  );
  const newFrames = temporalFactor ? `${frames * temporalFactor} new frames` : `${frames} new latent frames`;

  return (
    <PreviewSection>
      <PreviewFrame
        aspect={aspect}
        video
        data={{
          'data-rows': rows,
          'data-total-rows': totalRows,
          'data-frame': job.result ? frames - 1 : current,
          'data-frames': frames,
          'data-status': job.status,
        }}
        scanline={job.status === 'running' && job.preview ? { rows, of: Math.max(1, totalRows) } : undefined}
      >
        {finished ? (
          <VideoPlayer
            src={studio.client.mediaUrl(job.result!.media!)}
            poster={job.result!.image}
            label={`Finished ${label}: ${job.prompt}`}
            fps={fps}
            pixelated
          />
        ) : job.preview ? (
          <img className="preview__image" src={job.preview.image} alt={`Latent frame ${current + 1}`} />
        ) : (
          <div className="preview__empty">
            {job.status === 'queued' ? 'Waiting in the queue…' : 'Waiting for the first row…'}
          </div>
        )}
      </PreviewFrame>
      <ol className="frame-strip" aria-label="Latent frames">
        {Array.from({ length: frames }, (_, i) => {
          const image = job.framePreviews?.[i];
          const state =
            job.result || i < current || (i === current && rows === totalRows)
              ? 'done'
              : i === current && job.status === 'running'
                ? 'current'
                : 'waiting';
          return (
            <li key={i} className="frame-strip__cell" data-state={state} title={`Latent frame ${i + 1}`}>
              {image ? <img src={image} alt="" /> : <span aria-hidden="true">{i + 1}</span>}
            </li>
          );
        })}
      </ol>
      <figcaption className="preview__caption" aria-live="polite">
        {job.status === 'running' ? (
          <>
            Generating “{job.prompt}” · frame {Math.min(current + 1, frames)} of {frames} · row {rows} of{' '}
            {totalRows}
          </>
        ) : job.result ? (
          <>
            “{job.prompt}” · {job.result.width}×{job.result.height} · {newFrames} at {fps} fps · seed{' '}
            {job.result.seed} · {formatDuration(job.result.seconds)}
            {job.itemId !== undefined && (
              <>
                <OpenInGalleryButton itemId={job.itemId} />
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => void openExtendForItem(studio, job.itemId!, job.prompt)}
                >
                  {job.kind === 'extend' ? 'Extend again…' : 'Extend…'}
                </button>
              </>
            )}
          </>
        ) : (
          `“${job.prompt}” · ${job.status}`
        )}
      </figcaption>
    </PreviewSection>
  );
}
