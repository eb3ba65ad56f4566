import { expect, test } from 'vitest';
import {
  loadCodec, decodeErrorMessage, NLMSG_ERROR, NLMSG_DONE, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLM_F_MULTI, TruncatedError,
} from '../../src/codec/index.js';
import { ascii, attr, concat, i32le, msg, u32le } from '../helpers/bytes.js';

const codec = loadCodec();
const walker = codec.walker();
const request = msg(16, concat(new Uint8Array(16), attr(3, ascii('x'))), { flags: 5, seq: 9, pid: 77 });

test('an error with the request echoed in full, then the ext-ack attributes', () => {
  const policy = concat(attr(1, u32le(11)), attr(7, u32le(15)), attr(11, new Uint8Array(0)), attr(2, new Uint8Array([0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
  const reply = msg(NLMSG_ERROR, concat(i32le(-34), request, attr(1, ascii('too long')), attr(2, u32le(32)), attr(4, policy, { nestedFlag: true })), { flags: NLM_F_ACK_TLVS, seq: 9 });
  const decoded = decodeErrorMessage(codec.scan(reply), 0, walker);
  expect(decoded).toEqual({
    error: -34,
    request: { length: request.length, type: 16, flags: 5, seq: 9, pid: 77 },
    extack: { message: 'too long', offset: 32, policy: { type: 11, maxLength: 15, minValueS: -5 } },
  });
});

test('a capped error has only the request header before the attributes; without ACK_TLVS there is no extack', () => {
  const capped = msg(NLMSG_ERROR, concat(i32le(-2), request.subarray(0, 16), attr(1, ascii('gone'))), { flags: NLM_F_CAPPED | NLM_F_ACK_TLVS });
  expect(decodeErrorMessage(codec.scan(capped), 0, walker).extack).toEqual({ message: 'gone' });
  const plain = msg(NLMSG_ERROR, concat(i32le(-2), request));
  expect(decodeErrorMessage(codec.scan(plain), 0, walker)).toEqual({ error: -2, request: { length: request.length, type: 16, flags: 5, seq: 9, pid: 77 } });
});

test("a dump's NLMSG_DONE carries its errno and the ext-ack right after it, and echoes no request", () => {
  const done = msg(NLMSG_DONE, concat(i32le(-22), attr(1, ascii('bad filter'))), { flags: NLM_F_MULTI | NLM_F_ACK_TLVS });
  expect(decodeErrorMessage(codec.scan(done), 0, walker)).toEqual({ error: -22, extack: { message: 'bad filter' } });
});

test('damaged ext-ack attributes are reported apart; what came before stands', () => {
  const long = concat(request.subarray(0, 16), new Uint8Array(4));
  new DataView(long.buffer).setUint32(0, 400, true); // claims an echo longer than the message
  const cut = decodeErrorMessage(codec.scan(msg(NLMSG_ERROR, concat(i32le(-1), long), { flags: NLM_F_ACK_TLVS })), 0, walker);
  expect(cut.error).toBe(-1);
  expect(cut.extackError).toBeInstanceOf(TruncatedError);
  const bad = decodeErrorMessage(codec.scan(msg(NLMSG_ERROR, concat(i32le(-1), request.subarray(0, 16), attr(1, ascii('kept')), attr(2, u32le(1), { declaredLength: 40 })), { flags: NLM_F_CAPPED | NLM_F_ACK_TLVS })), 0, walker);
  expect(bad.extack).toEqual({ message: 'kept' });
  expect(bad.extackError).toBeInstanceOf(TruncatedError);
});
