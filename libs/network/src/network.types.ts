/** A household or office: the tenant. Everything else carries its id. */
export interface Network {
  id: string;
  ownerId: string;
  name: string;
  serviceEnabled: boolean;
  /** Per-network settings other modules read (thresholds, retention, inference switch). */
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** What an update of a network may change; an absent field stays as it is. */
export interface NetworkChanges {
  name?: string;
  service_enabled?: boolean;
  /** null returns to the server's default retention. */
  retention_days?: number | null;
  /** Merged key by key into the stored settings; a key set to null is removed. */
  settings?: Record<string, unknown>;
}

/** A device registered in a network (its token's hash never leaves the network lib). */
export interface Device {
  id: string;
  networkId: string;
  /** The device's own name, e.g. "kitchen" or "desktop-client" (rule: device-name.ts). */
  clientId: string;
  registeredAt: Date;
  lastSeenAt: Date | null;
  /** What the device said about itself when it registered (the shipped apps send their addresses). */
  metadata: Record<string, unknown>;
}

/** A network's devices as /service/info shows them. */
export interface NetworkDevices {
  network: Network;
  devices: Device[];
  /** Devices seen within the last five minutes. */
  activeCount: number;
}
