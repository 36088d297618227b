import { Injectable, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { HookRegistry, provideHook } from './hooks.js';

abstract class GreetingHook {
  abstract greet(): string;
}

@Injectable()
class EnglishGreeting implements GreetingHook {
  greet() {
    return 'hello';
  }
}

@Injectable()
class FrenchGreeting implements GreetingHook {
  greet() {
    return 'bonjour';
  }
}

@Module({ providers: [EnglishGreeting, provideHook(GreetingHook, EnglishGreeting)] })
class EnglishModule {}

@Module({ providers: [FrenchGreeting, provideHook(GreetingHook, FrenchGreeting)] })
class FrenchModule {}

@Module({ imports: [DiscoveryModule], providers: [HookRegistry], exports: [HookRegistry] })
class OwnerModule {}

describe('hooks provided by several modules', () => {
  it('the owner reads every implementation, each the same instance its module holds', async () => {
    const app = await Test.createTestingModule({
      imports: [OwnerModule, EnglishModule, FrenchModule],
    }).compile();
    const hooks = app.get(HookRegistry).all(GreetingHook);
    expect(hooks.map((h) => h.greet()).sort()).toEqual(['bonjour', 'hello']);
    expect(hooks).toContain(app.get(EnglishGreeting));
    expect(hooks).toContain(app.get(FrenchGreeting));
    await app.close();
  });

  it('a point nobody provides has no implementations', async () => {
    const app = await Test.createTestingModule({ imports: [OwnerModule] }).compile();
    expect(app.get(HookRegistry).all(GreetingHook)).toEqual([]);
    await app.close();
  });
});
