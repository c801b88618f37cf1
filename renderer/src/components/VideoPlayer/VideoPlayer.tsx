/** The inline video player of the gallery and the Generate preview. */
import { useState, type RefObject } from 'react';
import './video-player.css';

export type PlayerState = 'loading' | 'playing' | 'paused' | 'ended' | 'error';

/**
 * A gallery video, inline: muted, looping, with the browser's controls. The media route answers byte
 * ranges, so seeking loads only what it needs. `data-state` says what the player is doing (tests read it),
 * and the caption counts frames at the video's rate.
 */
export function VideoPlayer({
  videoRef,
  onTime,
  ...props
}: {
  src: string;
  poster?: string | undefined;
  label: string;
  fps: number;
  /** Frames of the decoded video, when known. */
  frames?: number | undefined;
  /** Small videos are drawn with crisp pixels. */
  pixelated?: boolean;
  videoRef?: RefObject<HTMLVideoElement | null>;
  onTime?: (seconds: number) => void;
}) {
  const [state, setState] = useState<PlayerState>('loading');
  const [seconds, setSeconds] = useState(0);
  const frame = Math.floor(seconds * props.fps + 1e-3);
  const time = (event: { currentTarget: HTMLVideoElement }) => {
    setSeconds(event.currentTarget.currentTime);
    onTime?.(event.currentTarget.currentTime);
  };
  return (
    <figure className="video-player" data-state={state}>
      <video
        ref={videoRef}
        className="video-player__video"
        data-pixelated={props.pixelated ? 'true' : undefined}
        src={props.src}
        poster={props.poster}
        aria-label={props.label}
        controls
        muted
        loop
        autoPlay
        playsInline
        preload="auto"
        onPlaying={() => setState('playing')}
        onPause={() => setState('paused')}
        onEnded={() => setState('ended')}
        onError={() => setState('error')}
        onTimeUpdate={time}
        onSeeked={time}
      />
      <figcaption className="video-player__caption">
        {state === 'error'
          ? 'This video cannot be played here.'
          : `Frame ${props.frames ? Math.min(frame + 1, props.frames) : frame + 1}${props.frames ? ` of ${props.frames}` : ''} · ${seconds.toFixed(2)} s · ${props.fps} fps`}
      </figcaption>
    </figure>
  );
}
