import { Injectable, type Provider, type Type } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * A named extension point: an abstract class declared by the module that owns an event (it is the interface and the
 * injection token at once), e.g. `PersonDeletionHook` in @mira/person.
 */
export type HookPoint<T> = abstract new (...args: never[]) => T;

/**
 * How a module says that it reacts to another module's event: `providers: [Impl, provideHook(PersonDeletionHook,
 * Impl)]`. Several modules provide the same point; the owner reads all of them with `HookRegistry.all`.
 */
export function provideHook<T>(point: HookPoint<T>, implementation: Type<T>): Provider {
  return { provide: point, useExisting: implementation };
}

/** Every implementation of a hook point that some module provides (Nest has no multi-providers; this is ours). */
@Injectable()
export class HookRegistry {
  private readonly found = new Map<HookPoint<unknown>, unknown[]>();

  constructor(private readonly discovery: DiscoveryService) {}

  /** In module registration order. Read at run time (after boot), when every provider exists. */
  all<T>(point: HookPoint<T>): T[] {
    let hooks = this.found.get(point);
    if (!hooks) {
      hooks = this.discovery
        .getProviders()
        .filter((wrapper) => wrapper.token === point && wrapper.isDependencyTreeStatic())
        .map((wrapper) => wrapper.instance as unknown)
        .filter((instance) => instance !== undefined && instance !== null);
      this.found.set(point, hooks);
    }
    return hooks as T[];
  }
}
