/// The fields of journeys, phases, touchpoints and their assessments. CSV import, the API, the forms
/// and the OpenAPI document all read these, as for the customer model.
public enum JourneySchemas {
    public static let journey = EntitySchema(entity: "journey", fields: [
        FieldSpec("slug", .text(maxLength: 60), "Stable short name used in imports and links (made from the name when empty)"),
        FieldSpec("name", .text(maxLength: 200), required: true, "e.g. Claim settlement"),
        FieldSpec("description", .text(maxLength: 4000), "What the customer wants to get done"),
        FieldSpec("parent_journey_id", .uuid, "Makes this a sub-journey of that journey"),
        FieldSpec("variant_of_id", .uuid, "Makes this a channel variant (detail journey) of that journey"),
        FieldSpec("variant_channel", .text(maxLength: 60), "The channel of a channel variant (a channel slug)"),
        FieldSpec("segment", .text(maxLength: 100), "Optional segment or target group"),
        FieldSpec("persona", .text(maxLength: 200), "Optional persona"),
        FieldSpec("owner_email", .email, "E-mail of the journey owner, a member of this workspace"),
    ])

    public static let phase = EntitySchema(entity: "phase", fields: [
        FieldSpec("name", .text(maxLength: 120), required: true, "e.g. Report the claim"),
        FieldSpec("slug", .text(maxLength: 60), "Stable short name (made from the name when empty)"),
        FieldSpec("position", .integer(min: 1, max: 100), "1 for the first phase; default: after the last"),
        FieldSpec("description", .text(maxLength: 2000), "What happens in this phase"),
    ])

    public static let touchpoint = EntitySchema(entity: "touchpoint", fields: [
        FieldSpec("external_id", .text(maxLength: 100), "Your spreadsheet's id; import upserts by it"),
        FieldSpec("slug", .text(maxLength: 60), "Stable short name surveys and events refer to (made from the name when empty)"),
        FieldSpec("name", .text(maxLength: 200), required: true, "Name, starting with the channel, e.g. 'Letter: claim confirmation'"),
        FieldSpec("description", .text(maxLength: 4000), "What happens at the touchpoint"),
        FieldSpec("url", .text(maxLength: 2000), "Web address, when there is one (http or https)"),
        FieldSpec("channel", .text(maxLength: 60), required: true, "A channel slug of this workspace, e.g. letter, phone, portal"),
        FieldSpec("journey_id", .uuid, "The journey the touchpoint belongs to"),
        FieldSpec("journey", .text(maxLength: 60), "The journey's slug (instead of journey_id)"),
        FieldSpec("phases", .tags(maxItems: 20, maxLength: 60), "Slugs of the journey's phases the touchpoint is part of"),
        FieldSpec("direction", .choice(TouchpointDirection.allowed), "inbound (the customer gets in touch) or outbound"),
        FieldSpec("products", .tags(maxItems: 30, maxLength: 100), "Products the touchpoint matters for"),
        FieldSpec("target_groups", .tags(maxItems: 20, maxLength: 100), "Target groups that meet this touchpoint"),
        FieldSpec("feedback_measured", .boolean, "Whether feedback is collected here"),
        FieldSpec("improvement_needs", .text(maxLength: 4000), "Known need for improvement"),
        FieldSpec("sub_journeys", .tags(maxItems: 20, maxLength: 60), "Slugs of sub-journeys that run through this touchpoint"),
        FieldSpec("responsible_department", .text(maxLength: 120), "Department mainly responsible"),
        FieldSpec("co_departments", .tags(maxItems: 10, maxLength: 120), "Co-responsible departments"),
        FieldSpec("ownership", .choice(TouchpointOwnership.allowed), "brand_owned (default), partner_owned, customer_owned or external"),
        FieldSpec("controllable", .boolean, "Whether the company can shape the touchpoint (default yes)"),
    ])

    public static let assessment = EntitySchema(entity: "assessment", fields: [
        FieldSpec("relevance", .integer(min: 1, max: 5), required: true, "Relevance for the customer, 1 (low) to 5 (high)"),
        FieldSpec("quality", .integer(min: 1, max: 5), required: true, "Quality as the customer perceives it, 1 (poor) to 5 (excellent)"),
        FieldSpec("sub_touchpoints", .tags(maxItems: 30, maxLength: 200), "Sub-touchpoints"),
        FieldSpec("stakeholders", .tags(maxItems: 20, maxLength: 120), "Internal stakeholders"),
        FieldSpec("customer_jobs", .text(maxLength: 2000), "What customers want or need to get done here"),
        FieldSpec("expectations", .text(maxLength: 2000), "What customers expect here"),
        FieldSpec("emotions", .text(maxLength: 1000), "What customers feel here"),
        FieldSpec("note", .text(maxLength: 2000), "Anything else"),
    ])

    public static let phaseNote = EntitySchema(entity: "phase note", fields: [
        FieldSpec("phase_id", .uuid, required: true, "The phase"),
        FieldSpec("kind", .choice(PhaseNoteKind.allowed), required: true, "expectation or positive_surprise"),
        FieldSpec("segment", .text(maxLength: 100), "The segment it is for; empty for all"),
        FieldSpec("text", .text(maxLength: 1000), required: true, "The expectation or the planned surprise"),
    ])

    public static let maturity = EntitySchema(entity: "maturity evidence", fields: [
        FieldSpec("milestone", .choice(MaturityMilestone.allowed), required: true, "One of the four omnichannel milestones"),
        FieldSpec("level", .choice(MaturityLevel.allowed), required: true, "not_started, partly or achieved"),
        FieldSpec("evidence", .text(maxLength: 4000), "What shows it (a document, a decision, a link)"),
    ])

    public static let channel = EntitySchema(entity: "channel", fields: [
        FieldSpec("slug", .text(maxLength: 60), "Short name used in imports (made from the name when empty)"),
        FieldSpec("name", .text(maxLength: 100), required: true, "Name in English"),
        FieldSpec("name_de", .text(maxLength: 100), "Name in German (defaults to the English name)"),
    ])
}
