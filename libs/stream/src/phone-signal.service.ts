import { Injectable } from '@nestjs/common';
import { AppConfig, AppLogger, type Tx } from '@mira/core';
import { NetworkService } from '@mira/network';
import { freshSignals, streamScore } from './arbitration.policy.js';
import { ClientSignalsRepository } from './client-signals.repository.js';
import { StreamErrors } from './stream.errors.js';
import type {
  DeviceSignals,
  LocationReport,
  PhoneLocationInput,
  PhoneRssiInput,
  RssiReport,
} from './stream.types.js';

/**
 * What phones report about the devices near them (location, RSSI), which adds to each device's stream score for
 * as long as the report is fresh (STREAM_PHONE_SIGNAL_TTL_MS).
 */
@Injectable()
export class PhoneSignalService {
  constructor(
    private readonly repository: ClientSignalsRepository,
    private readonly networks: NetworkService,
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {}

  /** The reports on these devices and the signals that count at `nowMs`, looked up by client id. */
  async of(
    networkId: string,
    clientIds: string[],
    nowMs: number,
    tx?: Tx,
  ): Promise<(clientId: string) => DeviceSignals> {
    const rows = await this.repository.find(networkId, [...new Set(clientIds)], tx);
    return (clientId) => {
      const reports = rows.find((r) => r.clientId === clientId) ?? null;
      return { reports, signals: freshSignals(reports, nowMs, this.config.values.streams.phoneSignalTtlMs) };
    };
  }

  async reportLocation(networkId: string, body: PhoneLocationInput): Promise<LocationReport> {
    if (!(await this.networks.isClientRegistered(networkId, body.client_id))) {
      throw StreamErrors.clientNotFound(body.client_id);
    }
    const location = {
      latitude: body.location.latitude,
      longitude: body.location.longitude,
      accuracy: body.location.accuracy ?? null,
    };
    const row = await this.repository.saveLocation(networkId, body.client_id, location);
    this.logger.info('stream_phone_location', { network_id: networkId });
    return { clientId: body.client_id, location, locationScore: this.components(row).location_score };
  }

  /** The measuring phone must be a device registered in this network too (the caller, or one of its devices). */
  async reportRssi(networkId: string, body: PhoneRssiInput): Promise<RssiReport> {
    if (!(await this.networks.isClientRegistered(networkId, body.phone_client_id))) {
      throw StreamErrors.phoneClientNotFound(body.phone_client_id);
    }
    if (!(await this.networks.isClientRegistered(networkId, body.target_client_id))) {
      throw StreamErrors.targetClientNotFound(body.target_client_id);
    }
    const row = await this.repository.saveRssi(
      networkId,
      body.target_client_id,
      body.rssi,
      body.phone_client_id,
    );
    this.logger.info('stream_phone_rssi', { network_id: networkId, rssi: body.rssi });
    return {
      phoneClientId: body.phone_client_id,
      targetClientId: body.target_client_id,
      rssi: body.rssi,
      rssiScore: this.components(row).rssi_score,
    };
  }

  /** The location and RSSI components a device's reports give its score now. */
  private components(reports: DeviceSignals['reports']) {
    return streamScore(0, freshSignals(reports, Date.now(), this.config.values.streams.phoneSignalTtlMs));
  }
}
