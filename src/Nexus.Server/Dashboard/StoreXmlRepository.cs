using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Nexus.Storage;

namespace Nexus.Server.Dashboard;

/// <summary>
/// Keeps the ASP.NET Data Protection key ring (what encrypts the dashboard's session cookie and signs its anti-forgery
/// tokens) in the Nexus store, so every node of a cluster reads the cookies and forms of every other, and a restart or
/// a new container keeps its users signed in. The keys are state entries of the reserved namespace <c>$nexus</c> (no
/// route can name it: namespace names start with a letter or digit), key <c>dataprotection/&lt;name&gt;</c>, each
/// holding the key's XML as a JSON string. Anyone who can read the database can read them, as with every key-ring
/// store that is not encrypted at rest; the database is already the system's secret.
/// </summary>
internal sealed class StoreXmlRepository(INexusStore store) : IXmlRepository
{
    public const string Namespace = "$nexus";
    public const string Prefix = "dataprotection/";

    // Data Protection calls the repository synchronously, rarely (at start and when the ring is renewed, every 90 days by
    // default) and off the request path once the ring is cached; blocking on the store there is its contract.
    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(() => ReadAllAsync()).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var name = string.IsNullOrWhiteSpace(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
        var value = JsonSerializer.Serialize(element.ToString(SaveOptions.DisableFormatting));
        Task.Run(() => store.State.SetAsync(new SetStateParams(Namespace, Prefix + name, value) { HistoryLimit = 1 })).GetAwaiter().GetResult();
    }

    private async Task<IReadOnlyCollection<XElement>> ReadAllAsync()
    {
        var elements = new List<XElement>();
        string? after = null;
        do
        {
            var page = await store.State.ListAsync(new ListStateParams(Namespace, Prefix, after, 500)).ConfigureAwait(false);
            elements.AddRange(page.Items.Select(e => XElement.Parse(JsonSerializer.Deserialize<string>(e.ValueJson)!)));
            after = page.Next;
        }
        while (after is not null);
        return elements;
    }
}
