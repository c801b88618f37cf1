/** A prompt or file name cut to fit on one line of a toast, with an ellipsis where it was cut. */
export function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
