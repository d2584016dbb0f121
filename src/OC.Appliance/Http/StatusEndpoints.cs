using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OC.Appliance.Http;

/// <summary>
/// What each request gets: "/" (HTML), "/api/status" (JSON), "/metrics" (Prometheus text),
/// "/healthz"; 404 for any other path, 405 for any method but GET and HEAD. Loop thread only;
/// every answer is built from one <see cref="ApplianceStats.Snapshot"/>, in memory.
/// </summary>
internal sealed class StatusEndpoints(ApplianceStats stats)
{
    public const string AllowHeader = "Allow: GET, HEAD\r\n";

    public HttpResponse Handle(in HttpRequest request)
    {
        if (request.Method == RequestMethod.Other)
            return HttpResponse.Error(405, "only GET and HEAD are served", AllowHeader);
        if (request.HasBody)
            return HttpResponse.Error(400, "GET and HEAD requests carry no body");

        return request.Path switch
        {
            "/" => Page(),
            "/api/status" => new HttpResponse(200, "application/json; charset=utf-8",
                JsonSerializer.SerializeToUtf8Bytes(stats.Snapshot(), StatusJsonContext.Default.ApplianceStatus)),
            "/metrics" => new HttpResponse(200, MetricsText.ContentType, Encoding.UTF8.GetBytes(MetricsText.Render(stats.Snapshot(), stats.Http))),
            "/healthz" => Health(),
            _ => HttpResponse.Error(404, "the status page serves /, /api/status, /metrics and /healthz"),
        };
    }

    private HttpResponse Page()
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        return new HttpResponse(200, StatusPage.ContentType, Encoding.UTF8.GetBytes(StatusPage.Render(stats.Snapshot(), nonce)),
            StatusPage.SecurityHeaders(nonce));
    }

    // The loop is serving (it is running this), so health is the storage worker's.
    private HttpResponse Health() =>
        stats.StorageFault
            ? HttpResponse.Text(503, "storage fault")
            : HttpResponse.Text(200, "ok");
}
