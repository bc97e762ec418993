"""Every committed change to a site or a domain, by any path, is announced on the
`sites_changed` channel with the site's id (a TRUNCATE with "*"): each process's host cache
(sites/hosts.py) forgets that site's hosts. PostgreSQL sends NOTIFY at commit, and drops
it on rollback; duplicates within a transaction are sent once."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION sites_notify_site_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('sites_changed', OLD.id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('sites_changed', NEW.id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION sites_notify_domain_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('sites_changed', OLD.tenant_id::text);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('sites_changed', NEW.tenant_id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION sites_notify_every_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sites_changed', '*');
    RETURN NULL;
END $$;

CREATE TRIGGER sites_site_changed AFTER INSERT OR UPDATE OR DELETE ON sites_site
    FOR EACH ROW EXECUTE FUNCTION sites_notify_site_row();
CREATE TRIGGER sites_domain_changed AFTER INSERT OR UPDATE OR DELETE ON sites_domain
    FOR EACH ROW EXECUTE FUNCTION sites_notify_domain_row();
CREATE TRIGGER sites_site_truncated AFTER TRUNCATE ON sites_site
    FOR EACH STATEMENT EXECUTE FUNCTION sites_notify_every_site();
CREATE TRIGGER sites_domain_truncated AFTER TRUNCATE ON sites_domain
    FOR EACH STATEMENT EXECUTE FUNCTION sites_notify_every_site();
"""

BACKWARD = """
DROP TRIGGER sites_domain_truncated ON sites_domain;
DROP TRIGGER sites_site_truncated ON sites_site;
DROP TRIGGER sites_domain_changed ON sites_domain;
DROP TRIGGER sites_site_changed ON sites_site;
DROP FUNCTION sites_notify_every_site();
DROP FUNCTION sites_notify_domain_row();
DROP FUNCTION sites_notify_site_row();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0003_list_indexes"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
