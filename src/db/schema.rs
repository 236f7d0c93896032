//! The tables, written by hand once for both backends (`Uuid` is our portable id type).

diesel::table! {
    use diesel::sql_types::*;

    regions (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    organizations (id) {
        id -> Uuid,
        name -> Text,
        short_name -> Text,
        kind -> Text,
        sector -> Text,
        parent_id -> Nullable<Uuid>,
        region_code -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        website -> Nullable<Text>,
        status -> Text,
        notes -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    contacts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        full_name -> Text,
        position -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        notes -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    users (id) {
        id -> Uuid,
        username -> Text,
        full_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        organization_id -> Nullable<Uuid>,
        status -> Text,
        password_hash -> Text,
        password_changed_at -> Timestamp,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
        session_epoch -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    login_failures (id) {
        id -> Uuid,
        username -> Text,
        client_addr -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_chain (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    audit_events (seq) {
        seq -> BigInt,
        id -> Uuid,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<Uuid>,
        actor_username -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        actor_organization_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        before_state -> Nullable<Text>,
        after_state -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    regulations (id) {
        id -> Uuid,
        kind -> Text,
        number -> Text,
        year -> Integer,
        title -> Text,
        issuer -> Text,
        status -> Text,
        enacted_on -> Nullable<Date>,
        summary -> Nullable<Text>,
        url -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    idempotency_keys (user_id, idempotency_key) {
        user_id -> Uuid,
        idempotency_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(contacts -> organizations (organization_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(organizations -> regions (region_code));

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    organizations,
    contacts,
    users,
    refresh_tokens,
    login_failures,
    audit_chain,
    audit_events,
    regulations,
    idempotency_keys
);
