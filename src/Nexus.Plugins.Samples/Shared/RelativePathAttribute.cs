using System.ComponentModel.DataAnnotations;

namespace Nexus.Plugins.Samples;

/// <summary>
/// Checks at submit that a path argument (a string, or each entry of a list of strings) is a path under the
/// artifacts root by its text: not empty, not absolute, no <c>..</c> segment, and, when <c>extensions</c> are given,
/// ending in one of them (case-insensitive). A bad path is then refused with the field named
/// (<c>args.filename: '../x.png' contains '..'; …</c>) before the task is stored. The plugin checks again when it runs,
/// following symbolic links (which only the file system can tell), through <see cref="ArtifactPaths"/>.
/// Null passes: whether an argument is required is said elsewhere.
/// </summary>
/// <param name="extensions">Allowed endings with the dot, e.g. <c>".png"</c>; none allows any.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class RelativePathAttribute(params string[] extensions) : ValidationAttribute
{
    /// <summary>The allowed endings.</summary>
    public IReadOnlyList<string> Extensions { get; } = extensions;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        switch (value)
        {
            case string path:
                return Check(path) is { } problem ? new ValidationResult(problem) : ValidationResult.Success;
            case IReadOnlyList<string> paths:
                for (var i = 0; i < paths.Count; i++)
                {
                    // The member name "[i]" makes the submit error name the entry: args.sourcePaths[1].
                    if (Check(paths[i]) is { } entryProblem) return new ValidationResult(entryProblem, [$"[{i}]"]);
                }
                return ValidationResult.Success;
            default:
                return ValidationResult.Success;
        }
    }

    /// <summary>What is wrong with one path, or null.</summary>
    public string? Check(string? path)
    {
        if (ArtifactPaths.Problem(path) is { } problem) return problem;
        if (Extensions.Count > 0 && !Extensions.Any(e => path!.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            return $"'{path}' must end in {string.Join(" or ", Extensions)}";
        }
        return null;
    }
}
