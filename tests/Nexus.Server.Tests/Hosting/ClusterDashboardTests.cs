using System.Net;
using System.Text.RegularExpressions;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Server.Tests.Hosting;

/// <summary>Two server processes on one store behind an imagined load balancer, each with its own home folder (so the
/// framework's default per-machine key ring would differ): a session cookie signed in on one is accepted by the other,
/// and a login form rendered by one is accepted when posted to the other — the Data Protection key ring lives in the
/// store.</summary>
public sealed partial class ClusterDashboardTests
{
    private const string Bootstrap = "cluster-dashboard-bootstrap-key-0123456789";

    [Fact]
    public async Task ASessionAndAFormFromOneNode_AreAcceptedByAnother()
    {
        var folder = Path.Combine(Path.GetTempPath(), "nexus-cluster-dashboard", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var database = Path.Combine(folder, "nexus.db");
        ServerProcess Node(string name)
        {
            var home = Directory.CreateDirectory(Path.Combine(folder, "home-" + name)).FullName;
            return ServerProcess.Start(name, dev: false, new Dictionary<string, string> { ["HOME"] = home },
                "--sqlite", $"Data Source={database}", "--Nexus:Auth:BootstrapKey=" + Bootstrap);
        }
        await using var a = Node("dash-a");
        await using var b = Node("dash-b");
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
        var addressA = await a.AddressAsync();
        var addressB = await b.AddressAsync();

        // Sign in on A.
        var session = await SignInAsync(http, formFrom: addressA, postTo: addressA);
        // The cookie made by A opens B's overview rather than sending the browser back to the login page.
        using (var overview = new HttpRequestMessage(HttpMethod.Get, addressB + "/"))
        {
            overview.Headers.Add("Cookie", session);
            var response = await http.SendAsync(overview);
            var page = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"B answered {(int)response.StatusCode} ({response.Headers.Location}) to A's session cookie.");
            Assert.DoesNotContain("Sign in to Nexus", page, StringComparison.Ordinal);
        }
        // A form (its anti-forgery token and cookie) rendered by A is accepted when posted to B.
        Assert.StartsWith("nexus_session=", await SignInAsync(http, formFrom: addressA, postTo: addressB), StringComparison.Ordinal);
    }

    private static async Task<string> SignInAsync(HttpClient http, string formFrom, string postTo)
    {
        var form = await http.GetAsync(formFrom + "/login");
        var html = await form.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var cookies = string.Join("; ", form.Headers.TryGetValues("Set-Cookie", out var set) ? set.Select(c => c.Split(';')[0]) : []);
        var fields = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        Assert.True(fields.ContainsKey("__RequestVerificationToken"), "The login form carries no anti-forgery token: " + html);
        fields["apiKey"] = Bootstrap;

        using var post = new HttpRequestMessage(HttpMethod.Post, postTo + "/login") { Content = new FormUrlEncodedContent(fields) };
        post.Headers.Add("Cookie", cookies);
        var response = await http.SendAsync(post);
        var body = await response.Content.ReadAsStringAsync();
        var session = response.Headers.TryGetValues("Set-Cookie", out var made) ? made.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("nexus_session=", StringComparison.Ordinal)) : null;
        Assert.True(session is not null, $"Signing in at {postTo} with a form from {formFrom} answered {(int)response.StatusCode} without a session cookie: {body[..Math.Min(body.Length, 600)]}");
        return session;
    }

    [GeneratedRegex("""<input[^>]*type="hidden"[^>]*name="(?<name>[^"]+)"[^>]*value="(?<value>[^"]*)"[^>]*>""")]
    private static partial Regex HiddenInput();
}
