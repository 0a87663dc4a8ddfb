// Imported first by the entry, so this runs before the element's code has even arrived
// (main.ts): a live page's socket opens while that code loads (store/early-socket.ts).
import { startEarly } from "./components/virtio-viz/early-start";

startEarly(document);
