import { AppError } from '@mira/core';

export const RealtimeErrors = {
  upgradeRequired: () =>
    new AppError(
      'REALTIME_UPGRADE_REQUIRED',
      'This path speaks WebSocket only: open it with an Upgrade: websocket request',
      426,
    ),
};
