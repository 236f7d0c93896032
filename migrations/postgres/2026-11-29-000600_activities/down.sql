DROP TABLE coverage;
DROP TABLE outcomes;
DROP TABLE action_items;
DROP TABLE activity_cgr_components;
DROP TABLE activity_decisions;
DROP TABLE activity_participants;
DROP TABLE activities;
