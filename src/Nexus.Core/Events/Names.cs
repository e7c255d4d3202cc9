using System.Text.RegularExpressions;

namespace Nexus.Events;

/// <summary>The rules for the names of the event area: namespaces, subscriptions, topics.</summary>
public static partial class Names
{
    /// <summary>The namespace used when none is given.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>True for a valid namespace name: 1–64 lower-case letters, digits, <c>_</c> or <c>-</c>, starting
    /// with a letter or digit.</summary>
    public static bool IsNamespace(string? name) => name is not null && NamespacePattern().IsMatch(name);

    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> unless a valid namespace.</summary>
    public static string Namespace(string? name, string field = "namespace") => IsNamespace(name) ? name!
        : throw new TaskValidationException(field, $"'{Shorten(name)}' is not a valid namespace: use 1–64 lower-case letters, digits, '_' or '-', starting with a letter or digit");

    /// <summary>True for a valid subscription name (the queue name rule: 1–64 letters, digits, <c>_ . -</c>).</summary>
    public static bool IsSubscription(string? name) => name is not null && SubscriptionPattern().IsMatch(name);

    /// <summary>Throws <see cref="TaskValidationException"/> naming <paramref name="field"/> unless a valid subscription name.</summary>
    public static string Subscription(string? name, string field = "name") => IsSubscription(name) ? name!
        : throw new TaskValidationException(field, $"'{Shorten(name)}' is not a valid subscription name: use 1–64 letters, digits, '_', '.' or '-', starting with a letter or digit");

    internal static string Shorten(string? s) => s is null ? "(null)" : s.Length <= 80 ? s : s[..80] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamespacePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex SubscriptionPattern();
}
