import { AppError } from '@mira/core';

export const ConversationErrors = {
  /** Also the answer for another network's conversation: ids cannot be probed. */
  notFound: (field?: string) =>
    new AppError(
      'CONVERSATION_NOT_FOUND',
      field ? `Conversation not found in network (${field})` : 'Conversation not found in network',
      404,
    ),
};
