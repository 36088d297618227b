/**
 * Runs after an interaction's person was changed through the API (a correction), outside any transaction. A module
 * provides it with `provideHook(InteractionPersonChangeHook, Impl)` (@mira/core); the recognition module uses it so
 * that a corrected utterance never keeps feeding a voiceprint.
 */
export abstract class InteractionPersonChangeHook {
  abstract afterInteractionPersonChanged(
    networkId: string,
    interactionId: string,
    previousPersonId: string | null,
    personId: string | null,
  ): Promise<void>;
}
