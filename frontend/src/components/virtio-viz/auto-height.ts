/**
 * Inside an iframe, tell the host page how tall the content is, so it can fit it: the
 * element's own height (it sizes to its content in /embed), each time it changes, and
 * never 0 (a hidden page has no height to give). docs/embedding.md has the listener.
 */
export function reportHeight(element: HTMLElement): ResizeObserver {
  let posted = 0;
  const observer = new ResizeObserver(() => {
    const height = Math.ceil(element.getBoundingClientRect().height);
    if (height <= 0 || height === posted) return;
    posted = height;
    window.parent.postMessage({ type: "virtio-viz:resize", height }, "*");
  });
  observer.observe(element);
  return observer;
}
