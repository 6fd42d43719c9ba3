// The driver protocol: what the device manager asks of a driver service
// (docs/devices.md: The driver contract). A driver announces itself with
// TAG_DEV_DRIVER (abi/protocols/devmgr.ts), handing the devmgr an endpoint to
// itself badged DRV_BADGE; the devmgr alone holds it, so a driver serves these
// tags only with that badge (E_RIGHTS otherwise) and no other caller can reach
// a device through it.
import type { Protocol } from "../schema";

export const protocol: Protocol = {
  name: "driver",
  title: "driver",
  range: [0x0580, 0x05ff],
  tags: [
    { name: "TAG_DRV_ATTACH", value: "0x0581", doc: "cap = the device's registers (K_DEVICE), w0 = id, w1 = slot, w2 = DEV_TYPE_*, w3 = its sectors (DEVP_SECTORS); the driver checks the device and keeps it; E_NOSPACE: DRV_DEVICES reached" },
    { name: "TAG_DRV_LINE", value: "0x0582", doc: "cap = the K_IRQ capability for device w0's line: the driver binds it to a notification bit and arms it" },
    { name: "TAG_DRV_DETACH", value: "0x0583", doc: "w0 = id: the device is gone from this driver (unplugged, or bound again): it masks the line and forgets both capabilities" },
    { name: "TAG_DRV_READ", value: "0x0584", doc: "w0 = id, w1 = byte offset, w2 = length, lease 0 writable; reply w0 = bytes read; E_ARG: offset or length; E_REVOKED: the device went during it; E_STATE: the device failed a command (BLK_STATUS), or is suspended or off" },
    { name: "TAG_DRV_WRITE", value: "0x0585", doc: "w0 = id, w1 = byte offset, w2 = length, lease 0 readable; reply w0 = bytes written; errors as TAG_DRV_READ" },
    { name: "TAG_DRV_IOCTL", value: "0x0586", doc: "w0 = id, w1 = DEVIO_*, w2 = its argument; reply as the operation says; E_UNSUPPORTED: an operation it does not know" },
  ],
  constants: [
    {
      title: "driver",
      doc: ["A driver's endpoint for the device manager, and what one instance keeps."],
      rows: [
        { name: "DRV_BADGE", value: "1 << 28", doc: "the badge of the endpoint a driver hands the devmgr (self_endpoint): the only one it serves TAG_DRV_* through" },
        { name: "DRV_DEVICES", value: 8, doc: "devices one driver instance drives at once (TAG_DRV_ATTACH: E_NOSPACE past it)" },
        { name: "DRV_IRQ_BIT", value: 0, doc: "the notification bit the library binds a device's line to" },
      ],
    },
  ],
};
