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
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    agreements (id) {
        id -> Uuid,
        number -> Nullable<Text>,
        title -> Text,
        kind -> Text,
        status -> Text,
        signed_on -> Nullable<Date>,
        effective_from -> Nullable<Date>,
        effective_until -> Nullable<Date>,
        summary -> Nullable<Text>,
        confidentiality -> Text,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    agreement_parties (agreement_id, organization_id) {
        agreement_id -> Uuid,
        organization_id -> Uuid,
        role -> Text,
        signatory_name -> Nullable<Text>,
        signatory_position -> Nullable<Text>,
        ordinal -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    agreement_scopes (agreement_id, scope) {
        agreement_id -> Uuid,
        scope -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    agreement_legal_basis (agreement_id, regulation_id) {
        agreement_id -> Uuid,
        regulation_id -> Uuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    amendments (id) {
        id -> Uuid,
        agreement_id -> Uuid,
        number -> Text,
        signed_on -> Date,
        summary -> Text,
        changes -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    commitments (id) {
        id -> Uuid,
        agreement_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        responsible_organization_id -> Uuid,
        scope -> Nullable<Text>,
        due_on -> Nullable<Date>,
        target_value -> Nullable<BigInt>,
        target_unit -> Nullable<Text>,
        status -> Text,
        progress_pct -> Integer,
        value_achieved -> Nullable<BigInt>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
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

    commitment_updates (id) {
        id -> Uuid,
        commitment_id -> Uuid,
        reported_on -> Date,
        status -> Text,
        progress_pct -> Integer,
        value_achieved -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
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

diesel::table! {
    audit_pending (seq) {
        seq -> BigInt,
    }
}

diesel::table! {
    audit_leaves (position) {
        position -> BigInt,
        seq -> BigInt,
        leaf_hash -> Text,
    }
}

diesel::table! {
    audit_nodes (level, idx) {
        level -> Integer,
        idx -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    audit_checkpoints (tree_size) {
        tree_size -> BigInt,
        root_hash -> Text,
        note -> Text,
        sequencer -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_sequencer (id) {
        id -> Integer,
        holder -> Text,
        expires_at -> BigInt,
    }
}

diesel::joinable!(audit_leaves -> audit_events (seq));
diesel::joinable!(audit_pending -> audit_events (seq));
diesel::joinable!(contacts -> organizations (organization_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(organizations -> regions (region_code));
diesel::joinable!(agreement_parties -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> organizations (organization_id));
diesel::joinable!(agreement_scopes -> agreements (agreement_id));
diesel::joinable!(agreement_legal_basis -> agreements (agreement_id));
diesel::joinable!(amendments -> agreements (agreement_id));
diesel::joinable!(commitments -> agreements (agreement_id));
diesel::joinable!(commitment_updates -> commitments (commitment_id));

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    documents (id) {
        id -> Uuid,
        owner_kind -> Text,
        owner_id -> Uuid,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        chunk_size -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    document_chunks (document_id, seq) {
        document_id -> Uuid,
        seq -> Integer,
        data -> Binary,
    }
}

diesel::joinable!(document_chunks -> documents (document_id));

diesel::allow_tables_to_appear_in_same_query!(
    calendar_feeds,
    outbox,
    notification_rules,
    reminder_occurrences,
    notifications,
    notification_preferences,
    notification_mutes,
    user_settings,
    regions,
    organizations,
    contacts,
    users,
    refresh_tokens,
    login_failures,
    audit_chain,
    audit_checkpoints,
    audit_leaves,
    audit_nodes,
    audit_pending,
    audit_sequencer,
    audit_events,
    agreements,
    agreement_parties,
    agreement_scopes,
    agreement_legal_basis,
    amendments,
    commitments,
    commitment_updates,
    regulations,
    idempotency_keys,
    activities,
    activity_participants,
    activity_decisions,
    activity_cgr_components,
    action_items,
    outcomes,
    coverage,
    documents,
    document_chunks,
    activity_attendees,
    activity_minutes_finals,
    activity_minutes_corrections
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activities (id) {
        id -> Uuid,
        kind -> Text,
        title -> Text,
        agreement_id -> Nullable<Uuid>,
        scope -> Nullable<Text>,
        organizer_organization_id -> Uuid,
        starts_at -> Timestamp,
        ends_at -> Nullable<Timestamp>,
        location -> Nullable<Text>,
        status -> Text,
        audience -> Nullable<Text>,
        people_reached -> Nullable<Integer>,
        minutes -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_participants (activity_id, organization_id) {
        activity_id -> Uuid,
        organization_id -> Uuid,
        attendees -> Nullable<Integer>,
        ordinal -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_decisions (activity_id, ordinal) {
        activity_id -> Uuid,
        ordinal -> Integer,
        decision -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_cgr_components (activity_id, component) {
        activity_id -> Uuid,
        component -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    action_items (id) {
        id -> Uuid,
        activity_id -> Uuid,
        description -> Text,
        owner_organization_id -> Uuid,
        due_on -> Nullable<Date>,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    outcomes (id) {
        id -> Uuid,
        kind -> Text,
        title -> Text,
        value -> BigInt,
        unit -> Text,
        segment -> Nullable<Text>,
        period_start -> Date,
        period_end -> Date,
        organization_id -> Uuid,
        agreement_id -> Nullable<Uuid>,
        activity_id -> Nullable<Uuid>,
        commitment_id -> Nullable<Uuid>,
        regulation_id -> Nullable<Uuid>,
        evidence -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    coverage (id) {
        id -> Uuid,
        region_code -> Text,
        segment -> Text,
        period -> Text,
        target -> BigInt,
        realization -> BigInt,
        source -> Nullable<Text>,
        note -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::joinable!(activity_participants -> activities (activity_id));
diesel::joinable!(activity_participants -> organizations (organization_id));
diesel::joinable!(activity_decisions -> activities (activity_id));
diesel::joinable!(activity_cgr_components -> activities (activity_id));
diesel::joinable!(action_items -> activities (activity_id));
diesel::joinable!(coverage -> regions (region_code));

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_attendees (id) {
        id -> Uuid,
        activity_id -> Uuid,
        name -> Text,
        position -> Nullable<Text>,
        organization_id -> Uuid,
        contact_id -> Nullable<Uuid>,
        created_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    calendar_feeds (user_id) {
        user_id -> Uuid,
        token_sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_minutes_finals (activity_id) {
        activity_id -> Uuid,
        finalised_at -> Timestamp,
        finalised_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    activity_minutes_corrections (id) {
        id -> Uuid,
        activity_id -> Uuid,
        what -> Text,
        why -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::joinable!(activity_attendees -> activities (activity_id));
diesel::joinable!(activity_minutes_corrections -> activities (activity_id));

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    outbox (id) {
        id -> Uuid,
        dedupe_key -> Text,
        channel -> Text,
        target -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    notification_rules (id) {
        id -> Uuid,
        kind -> Text,
        days -> Integer,
        audience -> Text,
        enabled -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    reminder_occurrences (rule_id, subject_id, due_on) {
        rule_id -> Uuid,
        subject_id -> Uuid,
        due_on -> Date,
        fired_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    notifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        subject_type -> Text,
        subject_id -> Uuid,
        parent_id -> Nullable<Uuid>,
        title -> Text,
        due_on -> Date,
        in_app -> Bool,
        is_read -> Bool,
        read_at -> Nullable<Timestamp>,
        digest_pending -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    notification_preferences (user_id, kind) {
        user_id -> Uuid,
        kind -> Text,
        channel -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    notification_mutes (user_id, subject_id) {
        user_id -> Uuid,
        subject_id -> Uuid,
        subject_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::Uuid;

    user_settings (user_id) {
        user_id -> Uuid,
        language -> Text,
    }
}
