DROP TABLE idempotency_keys;
DROP TABLE regulations;
DROP INDEX organizations_created_by;
DROP INDEX organizations_name_lower;
DROP INDEX organizations_short_name_lower;
