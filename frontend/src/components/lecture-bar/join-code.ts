/** A room's join link as a QR code, drawn locally (no service sees the link). */
import qrcode from "qrcode-generator";

export function qrSvg(text: string, cellSize = 4): string {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}
