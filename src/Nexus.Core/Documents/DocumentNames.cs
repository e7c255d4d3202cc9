using System.Text.RegularExpressions;

namespace Nexus.Documents;

/// <summary>The rules for models and document ids, and where documents live in the state store.</summary>
public static partial class DocumentNames
{
    /// <summary>Throws <see cref="TaskValidationException"/> unless a valid model name: 1–64 letters, digits, <c>_ . -</c>,
    /// starting with a letter or digit.</summary>
    public static string Model(string? model, string field = "model") =>
        model is not null && ModelPattern().IsMatch(model) ? model
            : throw new TaskValidationException(field, $"'{model}' is not a valid model name: use 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit");

    /// <summary>Throws <see cref="TaskValidationException"/> unless a valid document id: 1–128 letters, digits, <c>_ . - :</c>,
    /// starting with a letter or digit.</summary>
    public static string Id(string? id, string field = "id") =>
        id is not null && IdPattern().IsMatch(id) ? id
            : throw new TaskValidationException(field, $"'{id}' is not a valid document id: use 1–128 letters, digits, '_', '.', '-' or ':', starting with a letter or digit");

    /// <summary>The state key of a document. Keys starting with <c>$</c> are Nexus's own: users' state keys cannot.</summary>
    internal static string Key(string model, string id) => $"$docs/{model}/{id}";

    /// <summary>The prefix of a model's documents.</summary>
    internal static string Prefix(string model) => $"$docs/{model}/";

    /// <summary>The state key of a model's schema.</summary>
    internal static string SchemaKey(string model) => $"$schemas/{model}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ModelPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    private static partial Regex IdPattern();
}
