/**
 * The client steps replayed against recorded exchanges, byte for byte:
 * - the official samples-auth_key page (pinned snapshot, test/vectors/samples-auth-key.ts): every
 *   printed value, the RSA_PAD output excepted (its temp_key is not printed);
 * - grammers' recorded handshake (Lonami/grammers, grammers-mtproto/src/authentication.rs, test
 *   emulate_successful_auth_key_gen_flow; checklist C row 1), RSA_PAD included;
 * - grammers' RSA_PAD unit vector (grammers-crypto/src/rsa.rs, test_rsa_encryption; row 2),
 *   whose first temp_key gives a block ≥ the modulus, so the retry draws the next one.
 */
import { describe, expect, it } from 'vitest'
import { clientFinish, clientSetDhParams, clientCheckDhParams, clientStep1, clientStep2, clientStep3 } from '../../src/auth/client-steps.js'
import { tmpAesKeyIv } from '../../src/auth/derive.js'
import { decodePlainMessage } from '../../src/auth/plain.js'
import { rsaPadEncrypt, telegramPublicKey } from '../../src/auth/rsa.js'
import { decodeTl, encodeTl, mtprotoCodec } from '../../src/tl/index.js'
import { samplesAuthKey as S } from '../vectors/samples-auth-key.js'
import { hex, PATHS, seededCrypto, unhex } from './helpers.js'

const crypto = seededCrypto(1)

describe.each(PATHS)('samples-auth_key on $name', ({ opts }) => {
  it('reproduces every printed value', () => {
    const { request, state } = clientStep1(unhex(S.nonce))
    expect(hex(encodeTl(mtprotoCodec, request))).toBe(hex(decodePlainMessage(unhex(S.packets.req_pq_multi)).body))
    // the page prints message_length 168 (and 116 for dh_gen_ok) over 80- and 52-byte bodies, so
    // the server's packets are read from offset 20 rather than through decodePlainMessage
    const resPQ = decodeTl(mtprotoCodec, unhex(S.packets.resPQ).subarray(20))
    expect(resPQ._).toBe('resPQ')
    expect(BigInt('0x' + hex(resPQ.pq)).toString()).toBe(S.pq)
    let inner: Uint8Array | undefined
    const prod = telegramPublicKey(crypto, 'production')
    expect(BigInt.asUintN(64, prod.fingerprint).toString(16)).toBe('d09d1d85de64fd85')
    const step2 = clientStep2(
      crypto, state, resPQ,
      { newNonce: unhex(S.newNonce), padding: unhex(S.rsaPadRandomPadding), tempKey: () => crypto.randomBytes(32) },
      { keys: [prod], dc: 2, bignum: opts, onInnerData: (d) => (inner = d.slice()) },
    )
    // the sample prints fingerprints as they appear on the wire (little-endian)
    expect(hex(new Uint8Array(new BigInt64Array([step2.request.public_key_fingerprint]).buffer))).toBe(S.fingerprint)
    expect(BigInt('0x' + hex(step2.request.p)).toString()).toBe(S.p)
    expect(BigInt('0x' + hex(step2.request.q)).toString()).toBe(S.q)
    expect(hex(inner!)).toBe(S.pQInnerDataDc)
    expect(step2.request.encrypted_data.length).toBe(256)
    // step 6: the server's answer as recorded
    const { key, iv } = tmpAesKeyIv(crypto, step2.state.serverNonce, step2.state.newNonce)
    expect(hex(key)).toBe(S.tmpAesKey)
    expect(hex(iv)).toBe(S.tmpAesIv)
    expect(hex(crypto.aesIgeDecrypt(unhex(S.encryptedAnswer), key, iv))).toBe(S.answerWithHash)
    const answer = { _: 'server_DH_params_ok' as const, nonce: unhex(S.nonce), server_nonce: unhex(S.serverNonce), encrypted_answer: unhex(S.encryptedAnswer) }
    const params = clientCheckDhParams(crypto, step2.state, answer, { bignum: opts })
    expect(params.g).toBe(Number(S.g))
    expect(hex(params.dhPrime)).toBe(S.dhPrime)
    expect(hex(params.gA)).toBe(S.gA)
    expect(params.serverTime).toBe(Number(S.serverTime))
    // step 7 with the printed b and padding
    const step3 = clientSetDhParams(crypto, params, { b: unhex(S.b), padding: unhex(S.clientDhPadding) }, Number(S.serverTime), 0n, { bignum: opts })
    expect(hex(step3.request.encrypted_data)).toBe(S.clientDhEncrypted)
    expect(hex(crypto.aesIgeDecrypt(step3.request.encrypted_data, key, iv).subarray(20, 20 + S.clientDhInnerData.length / 2))).toBe(S.clientDhInnerData)
    expect(hex(step3.state.authKey)).toBe(S.authKey)
    // step 9
    const genOk = decodeTl(mtprotoCodec, unhex(S.packets.dh_gen_ok).subarray(20))
    expect(hex(genOk.new_nonce_hash1)).toBe(S.newNonceHash1)
    const done = clientFinish(crypto, step3.state, genOk)
    expect(done.type).toBe('ok')
    if (done.type === 'ok') {
      expect(hex(done.result.authKey)).toBe(S.authKey)
      expect(done.result.timeOffset).toBe(0)
    }
  })
})

// grammers-mtproto/src/authentication.rs, emulate_successful_auth_key_gen_flow
const G = {
  step1Random: '4e44b426241e8b839153122d44585ac6',
  step1Request: 'f18e7ebe4e44b426241e8b839153122d44585ac6',
  step1Response: '632416054e44b426241e8b839153122d44585ac665ba0b393e1094329eda2c42d62833030819546f942a11278d00000015c4b51c0300000003268d20df9858b2029f4ba16d109296216be86c022bb4c3',
  step2Random: 'b9dce68b05ef760fa7edfefeff45aaa8afbac11dc3d333bc3132fd16ab816d63ed93c5bef9d0452add8164a2d5df5804277ee5a06fd4523372707ddbd8106d03766d76fb8bec672bdcddcd225f7766b83663b32a0fda1055175c5582edd10430937666be4fd15510ba5f19aa645973b6e4e9270efac25b58741635fe84dd0af07a4686f750bf34de1073f1e7fa24e9b01a76e537504bd52b8195e5b78c9af2baa982454e1a99eeae0f35944089ad12726d2433a2c18c9698a725364f9c4e939ce4f1aee3891e58b85de90c88cc2eaef5db1841a594c0edc13cb4b7480a7e564fe892f82282d03ed07eb5ceac6644247bb137241166fe194756dfcffd68c6c345',
  step2Request: 'bee412d74e44b426241e8b839153122d44585ac665ba0b393e1094329eda2c42d62833030444b2e50d000000045e63ac8100000003268d20df9858b2fe0001007ec37ca8a84aa1b26d21bc8ac28b261ffa57b44e29f0d6722261e9b436059cc80ae9768a3ae4fbefe46cfbb76b88a1f80a1ebd95ae5d17bf655ed1015755e04c483a01cf4094a0830864054a71a0ac8a5ec34d6b24a69bf66c9654b32a8c65b0302718351b28f72a9a49610d5259b6edb6da37acc5fedc47d1a09c58df2c7eccbfaf54dfe123ebc253d9069f74e8be128051e5d280b3c9a5e8d3c6da344cb7374a6d410d4e088cc0eda3d8b1108ba4f4a85d79fbd2758000723780bc5459f59fd1cea1b511b77cc1411781d3feb57b14a97726cf3d2146cf43e648a69ff9cb5d48a31f543bd5bc3a023cf382d86d36bbfbbcb5e4a136acee25fd8e3e597e714d',
  step2Response: '5c07e8d04e44b426241e8b839153122d44585ac665ba0b393e1094329eda2c42d6283303fe500200fd064e91012ade621b26a48ac7dc8b2c8670ed67092a00fe8c936483e4b02822c3cc655aaffe00542e311df5abdaa645b1da85ca50a6c7b0e7cc7cb2b23d42c84e288bb3b5cfe313e1ebafe19833916df4d1f58dba62e0ac49cac17a31b8b0d57d43eefda546d67e80e311c4b213adec9635c73f75a18ffb26fb71391523bd5ddfcc8be51b36d6b2552394c511ec935d53811a981baca62a2b58cbfe96f1b35e118e5e17456994aea931839925c4578f281f3f129d28026ec80224617a9ca8c615a12fba9c53e774476567f07b01a59d2e6635e39c16dc0a54679f3b54b0482f1cbeac821147d93d7365f4e23fb5794eb5fd4ffdc6456638ea32f641f49ee705e7b0da71cb75753e2f4f80d5af07edb017948f332e34a9c5886b0c86281e0e7228d5a652a9faaf819f7686c099186169aaa377c136fac57b69b7f7b383aaece652f8dcb14e0dfb23e2a65330307a74c31c508cc504450fa208eee14d8bbead1c1f90ccfc183ae1d3345c62424ea3477776204e8fe69efbb6a27b168913d3babaca30aa1c9589d6655b2ad4cd59f67e9b3957ab3270d70afab9bd488a6c5f39ca739ca8947def00cdb8812152731710f5108235775a019d3b4986d6b720b05167b4ee731a10a29fc1e03c42e99d8ff5cf64f45070c2f5ce485ea5fddc281728b6e4d0dea561c9097e3f8a54b055b0c069a9f8207520f6429eb5225c985e3379f2cf6754f56d414fcd00d502e69223b911b915978e0890a9ef128715b828bf3fda3fee6c7b9b2621d971a6f7820f89f4c4c2ab29dec00007c3ec6cead64f7f5802d5e6a4a16a185cfbfced5351fa68380e',
  step3Random: '8fc3605a4604cbb5461fdeff439c761150083cdd502550558e92c730d46c9caf0b1b2d64d2c264942c50d98694fff604fdd2bd87f2cafb719bc55e65a1f60b08809660a650721c40d56fc9c792df1d463aad1718c6924b7bdffbe395f14633d33fc38ce47c18a1561b83a5c66d29f9e292637127471c3baab0028ae42796b689e53a7f9ab5f0ee6d3fb658d847c1abca509fc4ed0d45edbb1c946488910d8d78fa0767255b57a7c3898da8d26625bde40c5a0e80b581408ecd95a17d396dc7574a8ed3cbc4c085197ffaad29c18e577eb292aa8b98caa92efd6f9536049b5a7defc861e270eca90c55b9585405cb96f3e6ea754850b09e7a59ba5fd92d357982915d39752aaa2ec16b6cbde6a6c33971',
  step3Request: '1f5f04f54e44b426241e8b839153122d44585ac665ba0b393e1094329eda2c42d6283303fe500100def448d48c608480bab65df3f8990be8011f7b415a6f8113617bea749b8b0ea6a937987b18cc4dcce8197efdcf8d6ec6af7fc3364b4945df77e4a1ae9db7acea4abcd73247edb36bde20fc969c1d55717277afe0bc31a9ee99f7d822f91fa2dc69c868a19511b162d55e0814d0292b7708b67d57eb04569349d5a20ffe85c0141fc17e9bbbaf207bef56e66decda718c52c45273f868c2eff89bb06355cd515fbfe123d719b244234867d2889c9d0e4436ba644076e5014a78af60b2f0e1b30285f4f71539bcf8c506ccafd62cfcd1b040fe5e35bb30e519ad56d753100f604e3ea5d02409d74dd3ab0861227410f1e13591cf2a638347e6c6d0bcae14e0e8753313b51daee40a67407b5cc8b213856a290a0c7b6cda9ff9c58d69faaf6a748cff05512b69f1380f7a36843edecdc764048bc16d9808f353a9caf6d49ca8b717c8f6de037518a444931a7da2b80f16d0',
  step3Response: '34f7cb3b4e44b426241e8b839153122d44585ac665ba0b393e1094329eda2c42d628330313b781a0de4ab6bc7ab414cbe13f9f86',
  authKey: '7582e48ad36cd6eef7944ac9bd7027de9ee3202543b68850ac01e1221350f7174e6c3771c9d86b3075f777539c23d053e9da9a1510d49e8fa0ad76a016ce28bfe3543dde69959bc682dab762b95a36629a8438e65baa53cc79b551c23d555c7675a36f4ece90882ece497d28a903409b780a8a80516cb0f8534fee3a67530beb2b1929626e07c2a052c4870b18b0a626606ca05cb13668a65aee3fa32cbebf1b3a56532138cb22c017cac44a292021902eea9b9f906c6be19c9203c7bb3ebc5f1b2044d0a90cb008f7248c3ae4449e0895b6090abb04c24131c2948bd27d879ecb934e50a46671f987653385ab388e4fa1ddd4c95743111e08bf11fef1f8f739',
  now: 1693436740,
  firstSalt: 4459407212920268508n,
}

describe.each(PATHS)("grammers' recorded handshake on $name", ({ opts }) => {
  it('step by step, byte for byte (p_q_inner_data without dc, RSA_PAD with the recorded temp_key)', () => {
    const s1 = clientStep1(unhex(G.step1Random))
    expect(hex(encodeTl(mtprotoCodec, s1.request))).toBe(G.step1Request)
    const r2 = unhex(G.step2Random)
    // grammers: new_nonce = random[0..32]; RSA_PAD padding = rest[0..192 − len]; temp_key = rest[192..224]
    const rest = r2.subarray(32)
    const s2 = clientStep2(
      crypto, s1.state, decodeTl(mtprotoCodec, unhex(G.step1Response)),
      { newNonce: r2.subarray(0, 32), padding: rest.subarray(0, 192), tempKey: (i) => (i === 0 ? rest.subarray(192, 224) : crypto.randomBytes(32)) },
      { keys: [telegramPublicKey(crypto, 'test'), telegramPublicKey(crypto, 'production')], dc: 2, innerData: 'legacy', bignum: opts },
    )
    expect(hex(encodeTl(mtprotoCodec, s2.request))).toBe(G.step2Request)
    const r3 = unhex(G.step3Random)
    const s3 = clientStep3(crypto, s2.state, decodeTl(mtprotoCodec, unhex(G.step2Response)), { b: r3.subarray(0, 256), padding: r3.subarray(256) }, G.now, { bignum: opts })
    expect(hex(encodeTl(mtprotoCodec, s3.request))).toBe(G.step3Request)
    const done = clientFinish(crypto, s3.state, decodeTl(mtprotoCodec, unhex(G.step3Response)))
    expect(done).toEqual({ type: 'ok', result: { authKey: unhex(G.authKey), authKeyId: done.type === 'ok' ? done.result.authKeyId : 0n, serverSalt: G.firstSalt, timeOffset: 0, expiresAt: undefined } })
  })
})

describe("grammers' RSA_PAD vector", () => {
  it('reproduces the output, drawing the next temp_key when the first block is ≥ the modulus', () => {
    const random = unhex('12270000635593b03fee033d0672f9afddf9124de9e77df6251806cba93482e4c9e6e06e7d44e4c4baae821aff91af44789689faaee9bdfc7b2df8c08709afe57396c4638ceaa0dc30114f82447e81d3b53edc423b32660c43a5b8ad057b64500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007dada0920c4973913229e0f881aec7b9db0c392d34f52fb0995ea493ecb4c09d')
    const data = unhex('955ff5a9081a8e635f5743de9b00000004453dc27100000004622f1fcb000000f7a81627bbf511fa4afef71e94a0937474586c1add9198dda81a5df8393871c8293623c5fb968894af1be7dfe9c7be813f9307789242fd0cb0c16a5cb39a8d3e')
    const attempts: number[] = []
    // grammers draws the next temp_key by incrementing the previous one as a big-endian counter
    const tempKey = (attempt: number): Uint8Array => {
      attempts.push(attempt)
      const k = random.slice(192, 224)
      for (let n = 0; n < attempt; n++) for (let i = 31; i >= 0 && ++k[i] === 256; i--) k[i] = 0
      return k
    }
    const out = rsaPadEncrypt(crypto, telegramPublicKey(crypto, 'test'), data, random.subarray(0, 192), tempKey)
    expect(hex(out)).toBe('b610642a828b4a61fe32931815cae318d311660580f1e0df768f3140f4d37dfcfcac0c2870318de4ff2d2e0e9669bcfdc0bad06cadb1b59d9726b427368a9c7b4fc0d5e7b2e99fc571968705c03acf5341fd7021bef653fa77b3776ae430e366fc46d232459ebe128b08d80e049ae579a48b56ca93b520709468587c81af96666046e9ea85091d729e921e8d8a36f57b27644052dae7387c7f4131701d59cda75251dac66c94276280ef950d3c44c21e5a2454f7da7a6818cf23ae9c490b72b2170d7cbc24f8a93db739d76f2d241c78b80123faaff3e664f074d6375d794dbf2800a0b5bb48d54eceafedfb355bfbebd287d9023264e3b53627888250787a9e')
    expect(attempts).toEqual([0, 1])
  })
})
