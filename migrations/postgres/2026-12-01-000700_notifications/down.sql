DROP TABLE user_settings;
DROP TABLE notification_mutes;
DROP TABLE notification_preferences;
DROP TABLE notifications;
DROP TABLE reminder_occurrences;
DROP TABLE notification_rules;
