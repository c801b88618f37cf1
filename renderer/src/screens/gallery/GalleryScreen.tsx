/** The Gallery screen: toolbar, grid and the selected item's detail. */
import { useEffect } from 'react';
import { loadRange } from '../../commands/gallery.js';
import { useStudio } from '../../host/studio.js';
import { useStudioStore } from '../../state/store.js';
import { GalleryGrid } from './GalleryGrid.js';
import { GalleryToolbar } from './GalleryToolbar.js';
import { ItemDetail } from './ItemDetail.js';
import './gallery.css';

/** Search and filters above, the grid, and the selected item's details beside it. */
export function GalleryScreen() {
  const studio = useStudio();
  const hasDetail = useStudioStore((state) => state.detail !== null);
  const total = useStudioStore((state) => state.total);
  const version = useStudioStore((state) => state.version);
  useEffect(() => {
    // The first page tells the grid how many items there are, and the grid asks for the rest; with no
    // items there is no grid to ask, so a change (an item restored or added) is looked for here.
    if (total === null || total === 0) loadRange(studio, 0, 0);
  }, [studio, total, version]);
  return (
    <main className="gallery-screen" aria-label="Gallery" data-detail={hasDetail ? 'open' : undefined}>
      <h1 className="visually-hidden">Gallery</h1>
      <GalleryToolbar />
      <div className="gallery-screen__body">
        <GalleryGrid />
        <ItemDetail />
      </div>
    </main>
  );
}
