using System.Reflection;
using System.Text.Json.Serialization;

namespace Nexus.Client.Tests;

/// <summary>The wire models live once, in Nexus.Contracts (issue 9): the client has no model of its own that copies one,
/// under its name or another, and the contracts depend on no other Nexus assembly (nor on ASP.NET Core), so the client
/// stays a small package.</summary>
public sealed class ContractsGuardTests
{
    private static readonly Assembly Client = typeof(NexusClient).Assembly;
    private static readonly Assembly Contracts = typeof(TaskResponse).Assembly;

    /// <summary>Client records that look like wire models by name but are not: each says why.</summary>
    private static readonly Dictionary<string, string> NotWireModels = new(StringComparer.Ordinal)
    {
        ["ServiceInvokeResponse"] = "the forwarded HTTP answer of a registered service (status, headers, bytes), not a Nexus JSON body",
        ["LiveChangeInfo"] = "a parsed view of a /ws or /sse change message, read field by field, not deserialized",
    };

    [Fact]
    public void TheClientDeclaresNoRequestResponseOrInfoRecord_ThatIsNotInTheContracts()
    {
        var offenders = Records(Client)
            .Where(t => t.IsPublic && (t.Name.EndsWith("Request", StringComparison.Ordinal) || t.Name.EndsWith("Response", StringComparison.Ordinal)
                || t.Name.EndsWith("Info", StringComparison.Ordinal)))
            .Where(t => !NotWireModels.ContainsKey(t.Name))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(offenders.Count == 0, "Wire models belong in Nexus.Contracts, not the client: " + string.Join(", ", offenders));
    }

    [Fact]
    public void NoRecordOfTheClient_HasTheJsonShapeOfAContract()
    {
        // A copy under another name (TaskInfo for TaskResponse, an internal envelope for SubmitBatchRequest) has the same
        // JSON property names as the contract it copies.
        var shapes = Records(Contracts).Where(t => t.IsPublic).GroupBy(Shape).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var copies = Records(Client)
            .Where(t => shapes.ContainsKey(Shape(t)))
            .Select(t => $"{t.FullName} (the shape of {shapes[Shape(t)]})")
            .ToList();

        Assert.True(copies.Count == 0, "Use the contract instead of a copy: " + string.Join(", ", copies));
    }

    [Fact]
    public void TheContractsReferenceNoNexusAssembly_AndNoWebFramework()
    {
        var references = Contracts.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Nexus", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Equal("Nexus.Contracts", Contracts.GetName().Name);
    }

    [Fact]
    public void TheClientAndTheServerUseTheOneContractsAssembly()
    {
        var server = typeof(Nexus.Server.NexusServer).Assembly;

        Assert.Contains(Client.GetReferencedAssemblies(), a => a.Name == "Nexus.Contracts");
        Assert.Contains(server.GetReferencedAssemblies(), a => a.Name == "Nexus.Contracts");
        Assert.Empty(Records(server).Where(t => t.IsPublic && (t.Name.EndsWith("Request", StringComparison.Ordinal)
            || t.Name.EndsWith("Response", StringComparison.Ordinal))).Select(t => t.FullName));
    }

    private static IEnumerable<Type> Records(Assembly assembly) =>
        assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && !t.IsNested && t.GetMethod("<Clone>$") is not null);

    private static string Shape(Type t) => string.Join(",", t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.Name != "EqualityContract" && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => p.Name).Order(StringComparer.Ordinal));
}
