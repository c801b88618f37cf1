/** The gallery detail's download links, one per export format. */
import type { ExportFormat, LibraryItemDetail } from '../../../../engine/src/api/index.js';
import { useStudio } from '../../host/studio.js';

interface ExportChoice {
  format: ExportFormat;
  label: string;
  /** The tooltip: what the file is, and whether the generation record travels with it. */
  title: string;
}

const VIDEO_EXPORTS: readonly ExportChoice[] = [
  { format: 'mp4', label: 'MP4', title: 'The video as the library keeps it, its generation record inside' },
  { format: 'gif', label: 'GIF', title: 'An animated GIF, without the generation record' },
  { format: 'webp', label: 'WebP', title: 'An animated WebP, without the generation record' },
];

const IMAGE_EXPORTS: readonly ExportChoice[] = [
  {
    format: 'png',
    label: 'PNG',
    title:
      'The image as the library keeps it, its generation record inside: drop it on the studio to restore these settings',
  },
  { format: 'webp', label: 'WebP', title: 'A WebP copy, without the generation record' },
  { format: 'jpg', label: 'JPEG', title: 'A JPEG copy, without the generation record' },
];

/** Downloads of an item: a video as MP4, GIF or WebP, an image as PNG, WebP or JPEG. */
export function ExportLinks({ item }: { item: LibraryItemDetail }) {
  const transfer = useStudio().client.transfer;
  if (!transfer) return null;
  const choices = item.media.ext === 'mp4' ? VIDEO_EXPORTS : IMAGE_EXPORTS;
  return (
    <span className="export-links" role="group" aria-label="Export">
      Export
      {choices.map(({ format, label, title }) => (
        <a
          key={format}
          className="button button--small"
          href={transfer.exportUrl(item.id, format)}
          title={title}
          download
        >
          {label}
        </a>
      ))}
    </span>
  );
}
