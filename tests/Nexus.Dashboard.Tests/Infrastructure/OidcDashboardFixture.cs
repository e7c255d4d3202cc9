using Microsoft.Playwright;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>A real OpenID provider (<see cref="OidcProvider"/>), a Nexus server whose dashboard signs in there, and a
/// second server configured with a wrong client secret.</summary>
public sealed class OidcDashboardFixture : DashboardFixture
{
    public const string ProviderName = "Test Provider";

    public OidcProvider Provider { get; private set; } = null!;

    /// <summary>The one queue the account <c>quinn</c> is limited to.</summary>
    public string LimitedQueue { get; } = "oq-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The provider's accounts: login (and sub) → the ID token's claims.</summary>
    private Dictionary<string, Dictionary<string, object>> Accounts => new()
    {
        ["ada"] = new() { ["role"] = "admin" },
        ["vic"] = new() { ["role"] = "viewer" },
        ["quinn"] = new() { ["role"] = "operator", ["nexus_queues"] = new[] { LimitedQueue } },
        ["nora"] = new(),
        ["sam"] = new() { ["role"] = "superuser" },
        ["eve"] = new() { ["role"] = "admin", ["nexus_queues"] = Array.Empty<string>() },
        ["walt"] = new() { ["role"] = "worker" },
    };

    /// <summary>A server whose client secret the provider does not know.</summary>
    public ServerHost WrongSecret { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => OidcSettings(Provider.Authority, OidcProvider.ClientSecret);

    private static Dictionary<string, string?> OidcSettings(string authority, string secret) => new()
    {
        ["Nexus:Auth:Oidc:Authority"] = authority,
        ["Nexus:Auth:Oidc:ClientId"] = OidcProvider.ClientId,
        ["Nexus:Auth:Oidc:ClientSecret"] = secret,
        ["Nexus:Auth:Oidc:Scopes"] = "openid nexus",
        ["Nexus:Auth:Oidc:DisplayName"] = ProviderName,
    };

    public override async Task InitializeAsync()
    {
        Provider = await OidcProvider.StartAsync();
        await base.InitializeAsync();
        WrongSecret = await ServerHost.StartAsync(StoreKind.Sqlite, OidcSettings(Provider.Authority, "not-the-client-secret-0123456789"));
        await Provider.ConfigureAsync([Server.Address, WrongSecret.Address], Accounts);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (WrongSecret is not null) await WrongSecret.DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
    }

    /// <summary>A fresh browser context on <paramref name="server"/> (this fixture's server by default).</summary>
    public async Task<IPage> NewPageOnAsync(ServerHost? server = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = (server ?? Server).Address.ToString() });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="path"/>, is sent to the login page, follows "Sign in with …" and signs in on the
    /// provider's own form as <paramref name="login"/> (one of the accounts above). Returns when
    /// the provider's form was sent; the caller waits for where it should land.</summary>
    public async Task SignInAtProviderAsync(IPage page, string login, string path = "/")
    {
        await page.GotoAsync(path);
        await page.ClickAsync("#external-sign-in");
        await page.UntilUrlAsync(url => url.StartsWith(Provider.Authority, StringComparison.Ordinal));
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any password");
        await page.ClickAsync("button[type=submit]");
    }

    /// <summary>Signs in at the provider as <paramref name="login"/> from <paramref name="page"/>'s browser (its cookies),
    /// but follows the provider's redirects itself and stops before the browser is sent back: returns the callback URL
    /// (code and state) the provider sends the browser to.</summary>
    public async Task<string> CallbackUrlAsync(IPage page, string login)
    {
        await page.GotoAsync("/login");
        await page.ClickAsync("#external-sign-in");
        await page.UntilUrlAsync(url => url.StartsWith(Provider.Authority, StringComparison.Ordinal));
        var action = new Uri(new Uri(page.Url), await page.Locator("form:has(input[name=login])").GetAttributeAsync("action"));
        var form = page.APIRequest.CreateFormData();
        form.Set("prompt", "login");
        form.Set("login", login);
        form.Set("password", "any password");
        var response = await page.APIRequest.PostAsync(action.ToString(), new() { Form = form, MaxRedirects = 0 });
        var at = action;
        for (var hop = 0; hop < 10 && response.Headers.TryGetValue("location", out var location); hop++)
        {
            var next = new Uri(at, location);
            if (next.AbsolutePath == "/signin-oidc") return next.ToString();
            at = next;
            response = await page.APIRequest.GetAsync(next.ToString(), new() { MaxRedirects = 0 });
        }
        throw new InvalidOperationException($"The provider did not send the browser back (last answer {response.Status} at {at}): {await response.TextAsync()}");
    }

    /// <summary>Signs in as <paramref name="login"/> and waits for the signed-in layout at <paramref name="path"/>.</summary>
    public async Task<IPage> OidcSignedInAsync(string login, string path = "/")
    {
        var page = await NewPageOnAsync();
        await SignInAtProviderAsync(page, login, path);
        try
        {
            // The signed-in layout, then where it is (PageUrls: a navigation event can be missed on a redirect chain).
            await page.Locator("header .who .user").WaitForAsync();
            await page.UntilUrlAsync(url => new Uri(url).PathAndQuery == path, $"the sign-in to land on {path}");
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"The OIDC sign-in stayed on {page.Url}; the page says: {await page.InnerTextAsync("body")}\nProvider:\n{Provider.Log}", ex);
        }
        return page;
    }
}
