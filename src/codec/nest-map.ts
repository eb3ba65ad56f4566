// A nest map tells the WASM walker which attributes are nests when the
// sender does not set NLA_F_NESTED (most of rtnetlink does not). It is built
// once per schema and copied into WASM memory on first use.
//
//   u16 words: [setCount] [start_0 size_0] [start_1 size_1] ... [descriptors ...]
//   descriptor of attribute type t in set s = words[start_s + t]:
//     0                        a leaf
//     (child + 1)              a nest whose attributes belong to set `child`
//     (child + 1) | 0x8000     an indexed array: each element is a nest of `child`

import { NEST_MAP_ARRAY, NEST_MAP_SET_MASK } from './constants.js';
import { ArgumentError } from './errors.js';
import type { WasmMemory } from './wasm.js';

/** A nest attribute of a set: the set of its children, and whether it is an indexed array. */
export interface NestSpec {
  set: number;
  array?: boolean;
}

export class NestMap {
  private readonly words: Uint16Array;
  private placed: { mem: WasmMemory; address: number } | null = null;

  /** `sets[s]` maps attribute types of set s to the nest they open. */
  constructor(sets: ReadonlyArray<ReadonlyMap<number, NestSpec>>) {
    if (sets.length > NEST_MAP_SET_MASK - 1) throw new ArgumentError(`a nest map holds at most ${NEST_MAP_SET_MASK - 1} sets`);
    const sizes = sets.map((set) => (set.size === 0 ? 0 : Math.max(...set.keys()) + 1));
    const total = 1 + 2 * sets.length + sizes.reduce((a, b) => a + b, 0);
    if (total > 0xffff) throw new ArgumentError('nest map too large');
    const words = new Uint16Array(total);
    words[0] = sets.length;
    let start = 1 + 2 * sets.length;
    sets.forEach((set, s) => {
      words[1 + 2 * s] = start;
      words[2 + 2 * s] = sizes[s]!;
      for (const [type, spec] of set) {
        if (spec.set < 0 || spec.set >= sets.length) throw new ArgumentError(`nest map set ${s} type ${type} names unknown set ${spec.set}`);
        words[start + type] = (spec.set + 1) | (spec.array ? NEST_MAP_ARRAY : 0);
      }
      start += sizes[s]!;
    });
    this.words = words;
  }

  /** The map's address in `mem`, copying it there on first use. */
  address(mem: WasmMemory): number {
    if (this.placed?.mem === mem) return this.placed.address;
    const address = mem.alloc(this.words.byteLength);
    mem.u16.set(this.words, address >>> 1);
    this.placed = { mem, address };
    return address;
  }
}
