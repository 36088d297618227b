import { ApiProperty } from '@nestjs/swagger';

export class ClientRegisteredDto {
  @ApiProperty({ example: 'kitchen registered successfully' })
  message: string;

  @ApiProperty({ example: 'kitchen' })
  client_id: string;

  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({
    description:
      'Bearer token for this device, scoped to this network. Shown once: only its hash is stored. ' +
      'Revoked by deregistering the client.',
    example: 'mira_ct_3q2-…',
  })
  client_token: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  registered_at: string;
}

export class ClientDeregisteredDto {
  @ApiProperty({ example: 'kitchen deregistered successfully' })
  message: string;

  @ApiProperty({ example: 'kitchen' })
  client_id: string;
}

export class ClientInfoDto {
  @ApiProperty({ example: 'kitchen' })
  client_id: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  registered_at: string;

  @ApiProperty({ nullable: true, type: String, description: 'Last authenticated request by this device' })
  last_seen_at: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'What the device said about itself when it registered (the shipped apps send their addresses)',
  })
  metadata: Record<string, unknown>;
}

export class ServiceInfoDto {
  @ApiProperty({ format: 'uuid' })
  network_id: string;

  @ApiProperty({ example: 'Home' })
  name: string;

  @ApiProperty({ description: 'Whether the network accepts audio' })
  enabled: boolean;

  @ApiProperty({ type: [ClientInfoDto] })
  clients: ClientInfoDto[];

  @ApiProperty({ description: 'Registered (not revoked) clients' })
  client_count: number;

  @ApiProperty({ description: 'Clients seen in the last 5 minutes' })
  active_client_count: number;
}

export class ServiceStatusDto {
  @ApiProperty({ example: 'Service enabled successfully' })
  message: string;

  @ApiProperty()
  enabled: boolean;
}
