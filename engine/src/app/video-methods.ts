/**
 * The engine's video part: the `jobs.generateVideo`, `jobs.extend`, `videos.*`, `uploads.discard` and
 * `library.lineage` methods, and what hosts carry over HTTP (uploads of videos to extend, exports of gallery
 * items, images included: item-exports.ts). Jobs themselves run in the engine's one queue (video-jobs.ts); this
 * file wires their parts together.
 */
import { join } from 'node:path';
import { EngineError, type ExportFormat, type MethodName, type VideoSourceInfo } from '../api/index.js';
import type { Library } from '../library/library.js';
import { createItemExports } from './item-exports.js';
import type { JobRunner } from './job-runner.js';
import type { Emit, MethodImpls } from './method-impls.js';
import type { ModelRegistry } from './model-registry.js';
import { createVideoJobs, type VideoJobs } from './video-jobs.js';
import { createVideoLibrary, type ExportedFile } from './video-library.js';
import { describeSource, resolveSource } from './video-sources.js';
import type { UploadStore } from './upload-store.js';

type VideoMethodName = Extract<
  MethodName,
  | 'jobs.generateVideo'
  | 'jobs.extend'
  | 'videos.source'
  | 'videos.filmstrip'
  | 'uploads.discard'
  | 'library.lineage'
>;

/** What a host carries over HTTP (the web host: host/video-routes.ts). */
export interface VideoTransfers {
  /**
   * Keeps a video the user chose to extend and describes it for the active model; a file ffmpeg cannot read
   * as video is refused in one line naming the file, and nothing of it is kept.
   */
  acceptUpload(body: AsyncIterable<Uint8Array>, name: string): Promise<VideoSourceInfo>;
  /** A gallery item as a file to download: a video as MP4, GIF or WebP, an image as PNG, WebP or JPEG. */
  exportFile(itemId: number, format: ExportFormat): Promise<ExportedFile>;
}

export interface VideoService {
  /** Video and extension jobs: checked when queued, and run by the queue (video-jobs.ts). */
  jobs: VideoJobs;
  methods(jobs: Pick<JobRunner, 'generateVideo' | 'extend'>): MethodImpls<VideoMethodName>;
  transfers: VideoTransfers;
}

export function createVideoService(deps: {
  library: Library;
  models: ModelRegistry;
  emit: Emit;
  /** The engine's upload store: videos to extend are received into it. */
  uploads: UploadStore;
  /** The library folder: exports live beside the database. */
  libraryDir: string;
}): VideoService {
  const { library, models, uploads } = deps;
  const videos = createVideoLibrary(library, deps.emit, join(deps.libraryDir, 'exports'));
  const exportItem = createItemExports(library, videos, join(deps.libraryDir, 'exports'));

  function activeManifest() {
    const model = models.active();
    if (!model)
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    return model.manifest;
  }

  return {
    jobs: createVideoJobs({ library, videos, uploads, emit: deps.emit }),
    methods: (jobs) => ({
      'jobs.generateVideo': (params) => jobs.generateVideo(params),
      'jobs.extend': (params) => jobs.extend(params),
      'videos.source': async ({ source }) =>
        describeSource(await resolveSource(source, { library, uploads }), activeManifest()),
      'videos.filmstrip': ({ itemId, count }) => videos.filmstrip(itemId, count),
      'uploads.discard': async ({ uploadId }) => (await uploads.discard(uploadId), {}),
      'library.lineage': ({ id }) => videos.lineage(id),
    }),
    transfers: {
      async acceptUpload(body, name) {
        const manifest = activeManifest();
        const upload = await uploads.receive(body, name);
        try {
          const source = { kind: 'upload', uploadId: upload.uploadId } as const;
          return await describeSource(await resolveSource(source, { library, uploads }), manifest);
        } catch (error) {
          await uploads.discard(upload.uploadId);
          // ffmpeg names the stored file; the user knows it by the name they chose.
          if (error instanceof EngineError)
            throw new EngineError(error.code, error.message.split(upload.path).join(upload.name));
          throw error;
        }
      },
      exportFile: exportItem,
    },
  };
}
