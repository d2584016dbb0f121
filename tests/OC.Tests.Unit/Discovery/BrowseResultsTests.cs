using System.Net;
using Makaretu.Dns;
using OC.Appliance.Discovery;
using OC.CliClient.Discovery;

namespace OC.Tests.Discovery;

/// <summary>What oc makes of the answers it gets, without sockets.</summary>
public sealed class BrowseResultsTests
{
    private static readonly IPAddress Source = IPAddress.Parse("192.0.2.1");

    [Fact]
    public void One_answer_with_PTR_SRV_TXT_and_A_resolves_the_appliance()
    {
        var records = MdnsAnswererTests.Records();
        var browse = new BrowseResults();
        browse.Add(ServiceRecords.Response([records.ServicePointer(TtlMode.Normal), records.Srv(TtlMode.Normal), records.Txt(TtlMode.Normal),
            .. records.AddressRecords(System.Net.Sockets.AddressFamily.InterNetwork, TtlMode.Normal)]), Source);

        Assert.Empty(browse.TakeMissingQuestions());
        var found = Assert.Single(browse.Results());
        Assert.Equal(new DiscoveredAppliance("Office Pi", "pi.local", Source, 6677, 1, "00112233445566778899aabbccddeeff", 6678), found);
        Assert.Equal("192.0.2.1:6677", found.Server.ToString());
    }

    [Fact]
    public void What_is_missing_is_asked_for_once_and_a_goodbye_removes_the_instance()
    {
        var records = MdnsAnswererTests.Records();
        var browse = new BrowseResults();
        browse.Add(ServiceRecords.Response([records.ServicePointer(TtlMode.Normal)]), Source);

        var questions = browse.TakeMissingQuestions();
        Assert.Equal([DnsType.SRV, DnsType.TXT], questions.Select(q => q.Type));
        Assert.Empty(browse.TakeMissingQuestions());
        Assert.Empty(browse.Results()); // no SRV yet: no port to give

        browse.Add(ServiceRecords.Response([records.Srv(TtlMode.Normal)]), Source);
        Assert.Equal(DnsType.A, Assert.Single(browse.TakeMissingQuestions()).Type);
        var found = Assert.Single(browse.Results());
        Assert.Equal(Source, found.Address);   // no A record: the address that answered
        Assert.Null(found.Version);

        browse.Add(ServiceRecords.Response(records.All(TtlMode.Goodbye)), Source);
        Assert.Empty(browse.Results());
    }

    [Theory]
    [InlineData("fp=SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")]
    [InlineData("FP=e3:b0:c4:42:98:fc:1c:14:9a:fb:f4:c8:99:6f:b9:24:27:ae:41:e4:64:9b:93:4c:a4:95:99:1b:78:52:b8:55", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")]
    [InlineData("fp=SHA256:not-a-fingerprint", null)]
    [InlineData("v=1", null)]
    public void The_certificate_fingerprint_comes_from_TXT_fp_in_canonical_form(string txt, string? fingerprint)
    {
        var records = MdnsAnswererTests.Records();
        var instance = records.Srv(TtlMode.Normal).Name;
        var browse = new BrowseResults();
        browse.Add(ServiceRecords.Response([records.ServicePointer(TtlMode.Normal), records.Srv(TtlMode.Normal),
            new TXTRecord { Name = instance, Strings = ["v=1", "id=aa", txt] }]), Source);
        Assert.Equal(fingerprint, Assert.Single(browse.Results()).Fingerprint);
    }

    [Fact]
    public void Other_service_types_are_ignored()
    {
        var browse = new BrowseResults();
        browse.Add(ServiceRecords.Response([new PTRRecord { Name = new DomainName("_http", "_tcp", "local"), DomainName = new DomainName("Printer", "_http", "_tcp", "local") }]), Source);
        Assert.Empty(browse.Results());
        Assert.Empty(browse.TakeMissingQuestions());
    }
}
