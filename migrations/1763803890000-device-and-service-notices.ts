import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access cache (AccessCache) also keeps which device a device token stands for and whether a network's service
 * is on, so channel `mira_access` also says when those change, whoever changes them: `n:<network id>` when a device
 * is revoked, renamed, given another token or deleted, and when a network's service is switched on or off. The
 * notice function learns that a device's network is its `network_id`; the rest is as in access-change-notices.
 * `last_seen_at` (written every 30 s per device) notifies nothing.
 */
export class DeviceAndServiceNotices1763803890000 implements MigrationInterface {
  name = 'DeviceAndServiceNotices1763803890000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(notifyFunction(true));
    await q.query(`
      CREATE TRIGGER clients_access_change AFTER UPDATE OF revoked_at, token_hash, client_id, network_id ON clients
        FOR EACH ROW
        WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.token_hash IS DISTINCT FROM NEW.token_hash
              OR OLD.client_id IS DISTINCT FROM NEW.client_id OR OLD.network_id IS DISTINCT FROM NEW.network_id)
        EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER clients_access_removed AFTER DELETE ON clients FOR EACH ROW
        EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER networks_service_change AFTER UPDATE OF service_enabled ON networks FOR EACH ROW
        WHEN (OLD.service_enabled IS DISTINCT FROM NEW.service_enabled) EXECUTE FUNCTION notify_access_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER networks_service_change ON networks`);
    await q.query(`DROP TRIGGER clients_access_removed ON clients`);
    await q.query(`DROP TRIGGER clients_access_change ON clients`);
    await q.query(notifyFunction(false));
  }
}

function notifyFunction(withClients: boolean): string {
  const clients = withClients
    ? `ELSIF TG_TABLE_NAME = 'clients' THEN
          PERFORM pg_notify('mira_access', 'n:' || OLD.network_id::text);`
    : '';
  return `
      CREATE OR REPLACE FUNCTION notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('mira_access', 'u:' || OLD.id::text);
        ELSIF TG_TABLE_NAME = 'refresh_tokens' THEN
          PERFORM pg_notify('mira_access', 'u:' || OLD.user_id::text);
        ${clients}
        ELSE
          PERFORM pg_notify('mira_access', 'n:' || OLD.id::text);
        END IF;
        RETURN NULL;
      END $$`;
}
