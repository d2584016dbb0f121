using Makaretu.Dns;

namespace OC.Appliance.Discovery;

/// <summary>
/// Reading a datagram into a Makaretu.Dns <see cref="Message"/> without trusting it: the counts in
/// the header are checked against the length before anything is parsed (each question takes at
/// least 5 bytes, each record 11), and whatever the parser throws on a malformed packet is caught.
/// </summary>
internal static class MdnsPacket
{
    /// <summary>RFC 6762 §17: at most 9000 bytes, including the IP and UDP headers.</summary>
    public const int MaxBytes = 9000;

    private const int HeaderBytes = 12;
    private const int MinQuestionBytes = 5;
    private const int MinRecordBytes = 11;

    /// <summary>
    /// Parses <paramref name="buffer"/>[0..<paramref name="length"/>). A query whose records fail
    /// to parse (say a known answer with UTF-8 TXT, which the parser refuses) still yields its
    /// questions, with the known answers left out: the question is what must be answered.
    /// </summary>
    public static bool TryRead(byte[] buffer, int length, out Message message)
    {
        message = new Message();
        if (length < HeaderBytes || length > buffer.Length) return false;
        int questions = (buffer[4] << 8) | buffer[5];
        int records = ((buffer[6] << 8) | buffer[7]) + ((buffer[8] << 8) | buffer[9]) + ((buffer[10] << 8) | buffer[11]);
        if (HeaderBytes + (questions * MinQuestionBytes) + (records * MinRecordBytes) > length) return false;
        try
        {
            message.Read(buffer, 0, length);
            return true;
        }
#pragma warning disable CA1031 // Hostile input: every parser failure means "drop this datagram".
        catch (Exception)
#pragma warning restore CA1031
        {
            if (message.IsQuery && message.Questions.Count == questions && questions > 0)
            {
                message.Answers.Clear();
                message.AuthorityRecords.Clear();
                message.AdditionalRecords.Clear();
                return true;
            }
            return false;
        }
    }
}
