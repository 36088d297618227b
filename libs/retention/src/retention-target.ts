/**
 * Time-bound personal data a module keeps, which the retention sweep removes once it is older than the network's
 * retention. A module provides one with `provideHook(RetentionTarget, Impl)` (@mira/core) in its providers.
 */
export abstract class RetentionTarget {
  /** The name the sweep reports its count under (the `deleted` details of the retention.swept audit row). */
  abstract readonly retentionName: string;
  /** Deletes this network's data of this kind from before `cutoff`; returns how many items went. */
  abstract purgeBefore(networkId: string, cutoff: Date): Promise<number>;
}
