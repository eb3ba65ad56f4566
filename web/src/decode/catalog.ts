// Names for what a capture holds: shared with `nlkit decode`
// (src/trace/decode/catalog.ts).

export {
  Catalog, GENL_HEADER_BYTES, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, announcedFamily, type MessageInfo,
} from '../../../src/trace/decode/catalog.js';
