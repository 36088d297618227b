import { type Action, toActionDto } from '@mira/action';
import { isoUtc } from '@mira/core';
import { type Interaction, toInteractionDto } from '@mira/interaction';
import type { Device } from '@mira/network';
import type { AppActionDto, AppDeviceDto, AppInteractionDto } from './dto/app.dto.js';

/**
 * The shapes the shipped apps read (test/contract/apps-contract.ts). Mira's own fields stay beside the apps'
 * names, so a reader of either finds what it expects; persons and conversations need nothing beyond Mira's v1
 * shapes.
 */
export function toAppInteraction(interaction: Interaction): AppInteractionDto {
  return {
    ...toInteractionDto(interaction),
    text: interaction.content ?? '',
    timestamp: isoUtc(interaction.occurredAt),
    sentiment: null,
  };
}

export function toAppDevice(device: Device): AppDeviceDto {
  return {
    client_id: device.clientId,
    connected_at: isoUtc(device.registeredAt),
    metadata: device.metadata ?? {},
  };
}

export function toAppAction(action: Action): AppActionDto {
  const { details, ...rest } = toActionDto(action);
  return { ...rest, details: describeAction(rest.action_type, details), parameters: details };
}

/** One sentence for a banner ("Remind: take the pills at 14:00"), from the structured details. */
export function describeAction(type: string, details: Record<string, unknown>): string | null {
  const text = (key: string) => {
    const value = details[key];
    return typeof value === 'string' && value.trim() ? value.trim() : null;
  };
  const parts: string[] = [];
  if (type === 'remind') {
    parts.push(text('description') ?? 'Reminder');
    if (text('time')) parts.push(`at ${text('time')}`);
  } else if (type === 'schedule') {
    parts.push(text('name') ?? 'Event');
    if (text('start_time')) parts.push(`from ${text('start_time')}`);
    if (text('end_time')) parts.push(`to ${text('end_time')}`);
    if (text('location')) parts.push(`at ${text('location')}`);
  } else if (type === 'contact') {
    parts.push([text('method'), text('name')].filter(Boolean).join(' ') || 'Contact');
    if (text('details')) parts.push(`: ${text('details')}`);
  } else {
    return Object.keys(details).length ? JSON.stringify(details) : null;
  }
  return parts.join(' ').replace(' : ', ': ');
}
