// The pages' entry (index.html, embed.html). It is small on purpose: boot.ts opens a live
// page's socket as soon as this file has run, and the element's code (a chunk of its own,
// which the pages already fetch through a modulepreload link) comes while the socket's
// handshake and first messages are on their way. Exports and other sites load the element
// as one file instead (element.ts).
import "./boot";
void import("./components/virtio-viz/virtio-viz");
