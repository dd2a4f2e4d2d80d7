export {
  CRC_DEADLINE_MS,
  CRC_TOKEN_MAX_LENGTH,
  computeCrcResponseToken,
  crcResponseBody,
  parseCrcToken,
} from "./protocol/crc.js";
