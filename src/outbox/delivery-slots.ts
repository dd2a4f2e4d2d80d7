/** A sink worker as the slots see it: kicked when its turn for a shared slot comes. */
export interface SlotHolder {
  kick(): void;
}

/**
 * The slots shared by every sink's attempts beyond its first. Each sink has one slot of its
 * own (its worker keeps it), so a sink whose attempts hang or fail holds up only itself:
 * another sink's next delivery waits for nobody. Further attempts (`concurrency` above 1)
 * share `max` slots across all sinks, handed out in turn: a worker that wants one waits behind
 * those that asked before it, and one that got one queues again at the back for the next.
 */
export interface DeliverySlots {
  /** A shared slot for `holder`; false when it must wait (it is kicked when its turn comes). */
  take(holder: SlotHolder): boolean;
  release(): void;
  /** `holder` no longer wants a slot (nothing of its is due): the next in line gets its turn. */
  withdraw(holder: SlotHolder): void;
}

export function createDeliverySlots(max: number): DeliverySlots {
  let used = 0;
  const waiting: SlotHolder[] = [];
  const kickFirst = (): void => {
    if (used < max) waiting[0]?.kick();
  };
  return {
    take(holder) {
      const first = waiting[0];
      if (used < max && (first === undefined || first === holder)) {
        if (first === holder) waiting.shift();
        used++;
        kickFirst(); // a slot still free: the next in line need not wait for this holder
        return true;
      }
      if (!waiting.includes(holder)) waiting.push(holder);
      return false;
    },
    release() {
      used--;
      kickFirst();
    },
    withdraw(holder) {
      const at = waiting.indexOf(holder);
      if (at < 0) return;
      waiting.splice(at, 1);
      if (at === 0) kickFirst();
    },
  };
}
