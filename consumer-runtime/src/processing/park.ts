// Parking a partition whose dead letter cannot be written. Its lane waits for the write, so records fetched
// meanwhile could only pile up; held, they would pause the partition, and a client that pauses only whole
// streams (@platformatic/kafka) would then stop every partition. A parked partition drops what is fetched
// instead, remembering the first offset dropped; once unparked, the client fetches again from there. Pure
// bookkeeping: the pipeline owns the state and does the seek.
//
// Order of checks on every fetched batch (admit):
//   1. parked: drop it all; the first offset past what is registered becomes the rewind point.
//   2. waiting for the rewind point after a seek: records before it were registered already, records after it
//      come from a fetch that started before the seek; only the rewind point itself opens the partition again.
//      Records past it are dropped and the seek repeated, so no gap is ever registered (a gap would be committed).
//   3. otherwise: everything is admitted.

export interface ParkState {
  parked: boolean;
  /** While parked: first offset dropped past what was registered; -1 when nothing was dropped. */
  rewindTo: number;
  /** After unparking with a rewind: the offset that must come next; -1 when none is awaited. */
  expect: number;
}

export function newParkState(): ParkState {
  return { parked: false, rewindTo: -1, expect: -1 };
}

export interface Admission {
  /** Index of the first record to hand on; the batch's length drops it all. */
  from: number;
  /** Set when the client must fetch again from this offset. */
  seekTo?: number;
}

const admitAll: Admission = { from: 0 };

/** What to do with a fetched batch (offsets ascending); updates `state`. */
export function admit(state: ParkState, lastRegistered: number, offsets: readonly number[]): Admission {
  if (!state.parked && state.expect < 0) return admitAll;
  if (state.parked) {
    if (state.rewindTo < 0) {
      const first = offsets.find((o) => o > lastRegistered);
      if (first !== undefined) state.rewindTo = first;
    }
    return { from: offsets.length };
  }
  const at = offsets.indexOf(state.expect);
  if (at >= 0) {
    state.expect = -1;
    return { from: at };
  }
  const last = offsets[offsets.length - 1];
  return last !== undefined && last > state.expect
    ? { from: offsets.length, seekTo: state.expect }
    : { from: offsets.length };
}

/** Parks the partition; a rewind still awaited stays the rewind point. */
export function park(state: ParkState): void {
  if (state.parked) return;
  state.parked = true;
  state.rewindTo = state.expect;
  state.expect = -1;
}

/** Unparks the partition; returns the offset to fetch again from, or -1 when nothing was dropped. */
export function unpark(state: ParkState): number {
  if (!state.parked) return -1;
  state.parked = false;
  const rewind = state.rewindTo;
  state.rewindTo = -1;
  state.expect = rewind;
  return rewind;
}
