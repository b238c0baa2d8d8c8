/**
 * Follows the commits of `traffic` (an API traffic value) on the live stream: `reload` is
 * called at most once per `everyMs` after events are committed, and each time the stream
 * (re)connects — a commit made before it was listening (between the view's first load and
 * the connect, or while it reconnected) sends no message, so only a fresh read shows it.
 * Returns what stops following: an `$effect`'s cleanup.
 */
export function followCommits(traffic: string, everyMs: number, reload: () => void): () => void {
  const es = new EventSource(`/api/live?traffic=${traffic}`);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = null;
      reload();
    }, everyMs);
  };
  es.addEventListener('open', soon);
  es.addEventListener('event', soon);
  return () => {
    es.close();
    if (timer !== null) clearTimeout(timer);
  };
}
