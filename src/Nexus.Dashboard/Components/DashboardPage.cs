using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Nexus.Dashboard.Access;

namespace Nexus.Dashboard.Components;

/// <summary>The base of every dashboard page: the request, the signed-in caller (through the host's
/// <see cref="IDashboardAccess"/>, so its rights and queue limits are the API's), and the answers of a page that
/// refuses (404 and 403 statuses with a message shown in place of the page).</summary>
public abstract class DashboardPage : ComponentBase
{
    /// <summary>The request (static server rendering always has one).</summary>
    [CascadingParameter] public HttpContext? Http { get; set; }

    /// <summary>The host's access rule.</summary>
    [Inject] public IDashboardAccess Access { get; set; } = default!;

    /// <summary>Navigation (redirects after a post).</summary>
    [Inject] public NavigationManager Navigation { get; set; } = default!;

    /// <summary>The signed-in caller; every page but the login page requires one.</summary>
    protected IDashboardUser Caller => Access.UserOf(Http!) ?? throw new InvalidOperationException("The dashboard page was reached without a signed-in caller.");

    /// <summary>Why the page refuses, shown instead of its content; null when it does not.</summary>
    protected string? Refusal { get; private set; }

    /// <summary>The request's cancellation.</summary>
    protected CancellationToken Aborted => Http?.RequestAborted ?? CancellationToken.None;

    /// <summary>Answers 404 with a message.</summary>
    protected void NotFound(string message = "Not found.") => Refuse(StatusCodes.Status404NotFound, message);

    /// <summary>Answers 403 with a message.</summary>
    protected void Forbidden(string message) => Refuse(StatusCodes.Status403Forbidden, message);

    /// <summary>Answers 409 with a message.</summary>
    protected void Conflict(string message) => Refuse(StatusCodes.Status409Conflict, message);

    /// <summary>Answers 400 with a message.</summary>
    protected void BadRequest(string message) => Refuse(StatusCodes.Status400BadRequest, message);

    private void Refuse(int status, string message)
    {
        Refusal = message;
        if (Http is not { Response.HasStarted: false } http) return;
        if (status != StatusCodes.Status404NotFound)
        {
            http.Response.StatusCode = status;
            return;
        }
        // .NET 10's component endpoint sends a page that set 404 itself without its body (it expects a "not found" page
        // or a re-execution), so the page renders as 200 and the status turns to 404 as the response starts; a redirect
        // made meanwhile is left alone.
        if (http.Items.ContainsKey(DeferredNotFound)) return;
        http.Items[DeferredNotFound] = true;
        http.Response.OnStarting(() =>
        {
            if (http.Response.StatusCode == StatusCodes.Status200OK) http.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
    }

    private const string DeferredNotFound = "nexus:dashboard:not-found";

    /// <summary>Checks a right for an action posted to the page; false (with 403) when the caller lacks it. Forms are
    /// only shown to callers who may use them, but a post is checked again here, whatever the page showed.</summary>
    protected bool Require(DashboardRight right)
    {
        if (Caller.Has(right)) return true;
        Forbidden($"Your role ({string.Join(", ", Caller.Roles)}) may not do this.");
        return false;
    }
}
