export type ActionStatus = 'pending' | 'confirmed' | 'dismissed';
export type ActionKind = 'remind' | 'schedule' | 'contact';

/** Something the assistant found to do in an interaction (the action schema of @mira/assistant). One per interaction. */
export interface Action {
  id: string;
  networkId: string;
  interactionId: string;
  personId: string | null;
  conversationId: string | null;
  actionType: ActionKind;
  details: Record<string, unknown>;
  status: ActionStatus;
  scheduledTime: Date | null;
  completedTime: Date | null;
  source: 'gemini' | 'rules';
  createdAt: Date;
  updatedAt: Date;
}

/** One run of the action extractor on an interaction. */
export interface Inference {
  interactionId: string;
  callToAction: boolean;
  source: 'gemini' | 'rules';
  /** Why the offline rules ran instead of Gemini. */
  note?: string;
  /** The stored (or refreshed) action when the extractor found one. */
  action: Action | null;
}
