import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every change that can take access away notifies channel `mira_access` (AccessCache), whoever makes it (the API,
 * another instance, an operator's SQL): `u:<user id>` when a user is deactivated or deleted or one of their refresh
 * tokens is revoked, changed or deleted (a session ends with its family's last live token), `n:<network id>` when
 * a network is deleted or gets another owner. Row triggers on the tables themselves, so cascades count too; the
 * notices leave at commit (nothing for a rolled-back change), and PostgreSQL sends one notice for identical ones in
 * a transaction.
 */
export class AccessChangeNotices1763803750000 implements MigrationInterface {
  name = 'AccessChangeNotices1763803750000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'users' THEN
          PERFORM pg_notify('mira_access', 'u:' || OLD.id::text);
        ELSIF TG_TABLE_NAME = 'refresh_tokens' THEN
          PERFORM pg_notify('mira_access', 'u:' || OLD.user_id::text);
        ELSE
          PERFORM pg_notify('mira_access', 'n:' || OLD.id::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_access_change AFTER UPDATE OF is_active ON users FOR EACH ROW
        WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active) EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER users_access_removed AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER refresh_tokens_access_change AFTER UPDATE OR DELETE ON refresh_tokens FOR EACH ROW
        EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER networks_access_change AFTER UPDATE OF owner_id ON networks FOR EACH ROW
        WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id) EXECUTE FUNCTION notify_access_change()`);
    await q.query(`
      CREATE TRIGGER networks_access_removed AFTER DELETE ON networks FOR EACH ROW
        EXECUTE FUNCTION notify_access_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER networks_access_removed ON networks`);
    await q.query(`DROP TRIGGER networks_access_change ON networks`);
    await q.query(`DROP TRIGGER refresh_tokens_access_change ON refresh_tokens`);
    await q.query(`DROP TRIGGER users_access_removed ON users`);
    await q.query(`DROP TRIGGER users_access_change ON users`);
    await q.query(`DROP FUNCTION notify_access_change()`);
  }
}
