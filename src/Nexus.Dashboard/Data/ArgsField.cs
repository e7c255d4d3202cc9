namespace Nexus.Dashboard.Data;

/// <summary>One field of a generated submit form: a top-level property of a plugin's args schema.</summary>
/// <param name="Name">The property's name.</param>
/// <param name="Kind">How it is entered: <c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>, <c>enum</c> (a
/// choice of strings) or <c>json</c> (anything else, typed as JSON).</param>
/// <param name="Required">Whether the schema requires it.</param>
/// <param name="Description">The schema's description, if any.</param>
/// <param name="Choices">The allowed strings of an <c>enum</c> field.</param>
/// <param name="Default">The schema's default as the field shows it, if any.</param>
public sealed record ArgsField(string Name, string Kind, bool Required, string? Description, IReadOnlyList<string> Choices, string? Default)
{
    /// <summary>The form input's name.</summary>
    public string InputName => ArgsForm.Prefix + Name;
}
