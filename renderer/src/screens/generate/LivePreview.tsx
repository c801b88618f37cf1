/** The Generate preview of an image job, row by row. */
import { formatDuration, selectPreviewJob } from '../../state/jobs/selectors.js';
import { useStudioStore } from '../../state/store.js';
import { OpenInGalleryButton, PreviewFrame, PreviewSection } from './PreviewFrame.js';
import { VideoPreview } from './VideoPreview.js';

/**
 * The running image filling in row by row (each `job.preview` carries the rows decoded so far), then the
 * finished image. The frame has the image's final shape from the start, so rows land where they belong.
 */
export function LivePreview() {
  const job = useStudioStore(selectPreviewJob);
  if (job && (job.kind === 'video' || job.kind === 'extend')) return <VideoPreview job={job} />;
  const grid = job?.grid;
  const totalRows = grid?.height;
  const rows = job?.result ? totalRows : job?.preview?.rows;
  const image = job?.result?.image ?? job?.preview?.image;
  const aspect = grid ? grid.width / grid.height : 1;

  return (
    <PreviewSection>
      <PreviewFrame
        aspect={aspect}
        data={{
          'data-rows': rows ?? 0,
          'data-total-rows': totalRows ?? 0,
          'data-status': job?.status ?? 'idle',
        }}
        scanline={
          job?.status === 'running' && rows !== undefined && totalRows !== undefined
            ? { rows, of: totalRows }
            : undefined
        }
      >
        {image ? (
          <img className="preview__image" src={image} alt={job?.prompt ?? ''} />
        ) : (
          <div className="preview__empty">
            {job ? 'Waiting for the first row…' : 'Your image appears here, row by row.'}
          </div>
        )}
      </PreviewFrame>
      <figcaption className="preview__caption" aria-live="polite">
        {!job ? (
          'Nothing generated yet.'
        ) : job.status === 'running' ? (
          <>
            Generating “{job.prompt}”
            {rows !== undefined && totalRows !== undefined && ` · row ${rows} of ${totalRows}`}
          </>
        ) : job.result ? (
          <>
            “{job.prompt}” · {job.result.width}×{job.result.height} · seed {job.result.seed} ·{' '}
            {formatDuration(job.result.seconds)}
            {job.itemId !== undefined && <OpenInGalleryButton itemId={job.itemId} />}
          </>
        ) : (
          `“${job.prompt}” · ${job.status}`
        )}
      </figcaption>
    </PreviewSection>
  );
}
