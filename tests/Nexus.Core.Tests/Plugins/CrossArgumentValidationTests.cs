using System.ComponentModel.DataAnnotations;
using Nexus.Plugins;

namespace Nexus.Core.Tests.Plugins;

/// <summary>Submit-time checks beyond one property's limits: rules across arguments (<see cref="IValidatableObject"/>)
/// and list attributes that name the entry at fault.</summary>
public sealed class CrossArgumentValidationTests
{
    /// <summary>Refuses entries that start with '!', naming the entry as the member "[i]".</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
    public sealed class NoBangAttribute : ValidationAttribute
    {
        protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
        {
            if (value is not IReadOnlyList<string> items) return ValidationResult.Success;
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i].StartsWith('!')) return new ValidationResult("must not start with '!'", [$"[{i}]"]);
            }
            return ValidationResult.Success;
        }
    }

    public sealed record CopyArgs([property: NoBang] IReadOnlyList<string> Files, int? Level = null, int? LevelAlias = null) : IValidatableObject
    {
        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Level is not null && LevelAlias is not null) yield return new ValidationResult("give level or levelAlias, not both", [nameof(LevelAlias)]);
        }
    }

    [TaskPlugin("test.copy")]
    public sealed class CopyPlugin : ITaskPlugin<CopyArgs, string>
    {
        public ValueTask<string> ExecuteAsync(CopyArgs args, TaskContext context) => ValueTask.FromResult("ok");
    }

    private static PluginRegistry Registry()
    {
        var registry = new PluginRegistry();
        registry.Add(typeof(CopyPlugin), null, "builtin");
        return registry;
    }

    [Fact]
    public void ARuleAcrossArguments_IsCheckedAtSubmit_NamingTheMemberAsAJsonField()
    {
        var ex = Assert.Throws<TaskValidationException>(() => Registry().ValidateArgs("test.copy", """{"files":["a"],"level":1,"levelAlias":2}"""));

        Assert.Equal("args.levelAlias", ex.Field);
        Assert.Equal("give level or levelAlias, not both", ex.Problem);
    }

    [Fact]
    public void AListAttribute_NamesTheEntryAtFault()
    {
        var ex = Assert.Throws<TaskValidationException>(() => Registry().ValidateArgs("test.copy", """{"files":["a","!b"]}"""));

        Assert.Equal("args.files[1]", ex.Field);
        Assert.Equal("must not start with '!'", ex.Problem);
    }

    [Fact]
    public void ArgsThatKeepEveryRule_Pass()
    {
        Registry().ValidateArgs("test.copy", """{"files":["a","b"],"levelAlias":2}""");

        Assert.Throws<TaskValidationException>(() => Registry().ValidateArgs("test.copy", """{"files":["!"]}"""));
    }
}
