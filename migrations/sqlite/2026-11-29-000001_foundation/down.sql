DROP TABLE audit_events;
DROP TABLE audit_chain;
DROP TABLE users;
DROP TABLE contacts;
DROP TABLE organizations;
DROP TABLE regions;
